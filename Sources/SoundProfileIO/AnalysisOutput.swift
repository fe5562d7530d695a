#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output formats of batch analysis.
public enum AnalysisOutputFormat: String, Sendable, CaseIterable {
    /// One JSON array of per-file objects, pretty-printed.
    case json
    /// One compact JSON object per line.
    case jsonl
    /// One row per file × channel × band, with a header row.
    case csv
    /// Aligned columns for people, units in the headers.
    case table
}

/// One file's outcome: its analysis or why it failed.
public enum AnalysisRecord: Sendable, Equatable {
    /// The file was analysed.
    case success(FileAnalysisResult)
    /// The file could not be analysed.
    case failure(FileAnalysisFailure)

    /// The file path as given.
    public var file: String {
        switch self {
        case .success(let r): r.file
        case .failure(let f): f.file
        }
    }
}

/// Renders analysis records as text, piece by piece, so a batch writes each record whole as soon
/// as it is ready and the output stays valid wherever it stops (after ``footer``).
public struct AnalysisRenderer: Sendable {
    /// The format rendered.
    public let format: AnalysisOutputFormat
    private let pretty = JSONEncoder()
    private let compact = JSONEncoder()

    /// A renderer for `format`.
    public init(format: AnalysisOutputFormat) {
        self.format = format
        // Sorted keys: Foundation on Linux does not keep declaration order, and output must be
        // byte-identical across runs and --jobs settings.
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        compact.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    /// The CSV columns, in order: one row per file × channel × band. A file that could not be
    /// analysed has no row (its error goes to stderr and `--errors FILE`), so every numeric
    /// column holds numbers only. The last columns are the result's provenance
    /// (``AnalysisProvenance``; empty where a record has none, `fftSizeRequested` and
    /// `hopRequested` empty for the defaults).
    public static let csvColumns = ["file", "sampleRate", "channelCount", "durationSeconds", "fftSize", "hop", "fullScaleDBSPL",
                                    "channel", "overallLeqDB", "bandIndex", "bandLabel", "centerHz", "lowerHz", "upperHz",
                                    "leqDB", "l10DB", "l50DB", "l90DB", "minDB", "maxDB",
                                    "bands", "range", "window", "fftSizeRequested", "hopRequested", "narrowBands", "unusableSamples",
                                    "maxChannels", "formatVersion", "tool"]

    /// Text written before the first record.
    public var header: String {
        switch format {
        case .json: "["
        case .jsonl, .table: ""
        case .csv: Self.csvColumns.joined(separator: ",") + "\n"
        }
    }

    /// Text for one record; `index` is its position in the output (0 for the first).
    public func render(_ record: AnalysisRecord, index: Int) -> String {
        switch format {
        case .json:
            let body = encode(record, with: pretty).split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + $0 }.joined(separator: "\n")
            return (index == 0 ? "\n" : ",\n") + body
        case .jsonl:
            return encode(record, with: compact) + "\n"
        case .csv:
            return csv(record)
        case .table:
            return table(record)
        }
    }

    /// Text written after the last record (also after an interruption).
    public func footer(recordCount: Int) -> String {
        switch format {
        case .json: recordCount == 0 ? "]\n" : "\n]\n"
        default: ""
        }
    }

    private func encode(_ record: AnalysisRecord, with encoder: JSONEncoder) -> String {
        let data: Data
        switch record {
        case .success(let r):
            // A result that cannot be encoded (a non-finite level) becomes an error record, never
            // an empty or torn one.
            do { data = try encoder.encode(r) } catch {
                data = (try? encoder.encode(FileAnalysisFailure(file: r.file, error: "the result could not be encoded: \(error)",
                                                                provenance: r.provenance))) ?? Data()
            }
        case .failure(let f): data = (try? encoder.encode(f)) ?? Data()
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
        }
        return s
    }

    private func csv(_ record: AnalysisRecord) -> String {
        switch record {
        case .failure:
            return ""
        case .success(let r):
            var out = ""
            let fileFields = [Self.csvField(r.file), "\(r.sampleRate)", "\(r.channelCount)", "\(r.durationSeconds)", "\(r.fftSize)",
                              "\(r.hop)", "\(r.fullScaleDBSPL)"]
            let provenance = Self.csvProvenance(r.provenance).joined(separator: ",")
            for ch in r.channels {
                let channelFields = fileFields.joined(separator: ",") + ",\(ch.channel),\(ch.overallLeqDB)"
                for b in ch.bands {
                    let fields = [channelFields, "\(b.index)", Self.csvField(b.label), "\(b.centerHz)", "\(b.lowerHz)", "\(b.upperHz)",
                                  "\(b.leqDB)", "\(b.l10DB)", "\(b.l50DB)", "\(b.l90DB)", "\(b.minDB)", "\(b.maxDB)", provenance]
                    out += fields.joined(separator: ",") + "\n"
                }
            }
            return out
        }
    }

    /// The provenance columns of a result (all empty without provenance).
    static func csvProvenance(_ p: AnalysisProvenance?) -> [String] {
        guard let p else { return Array(repeating: "", count: 10) }
        return [csvField(p.bands), csvField(p.range), csvField(p.window), p.fftSize.map { "\($0)" } ?? "", p.hop.map { "\($0)" } ?? "",
                csvField(p.narrowBands), csvField(p.unusableSamples), "\(p.maxChannels)", "\(p.formatVersion)", csvField(p.tool)]
    }

    private func table(_ record: AnalysisRecord) -> String {
        switch record {
        case .failure(let f):
            return "\(f.file)\n  FAILED: \(f.error)\n\n"
        case .success(let r):
            var out = "\(r.file)\n"
            out += "  \(r.sampleRate) Hz, \(r.channelCount) channel\(r.channelCount == 1 ? "" : "s"), \(Self.fixed(r.durationSeconds, decimals: 2)) s; "
            out += "FFT \(r.fftSize), hop \(r.hop), Hann; full scale (RMS 1.0) = \(fmt1(r.fullScaleDBSPL)) dB SPL\n"
            if let note = r.note { out += "  NOTE: \(note)\n" }
            for ch in r.channels {
                out += "  channel \(ch.channel)\(r.channelCount == 2 ? (ch.channel == 0 ? " (left)" : " (right)") : ""): overall Leq \(fmt1(ch.overallLeqDB)) dB SPL\n"
                out += "    " + pad("#", 3) + "  " + padRight("band", 12) + pad("band Hz", 14) + ["Leq", "L10", "L50", "L90", "min", "max"].map { pad($0, 7) }.joined() + "  (levels in dB SPL)\n"
                for b in ch.bands {
                    let edges = "\(Int(b.lowerHz.rounded()))–\(Int(b.upperHz.rounded()))"
                    out += "    " + pad("\(b.index)", 3) + "  " + padRight(b.label, 12) + pad(edges, 14)
                        + [b.leqDB, b.l10DB, b.l50DB, b.l90DB, b.minDB, b.maxDB].map { pad(fmt1($0), 7) }.joined() + "\n"
                }
            }
            return out + "\n"
        }
    }

    private func fmt1(_ x: Double) -> String { Self.fixed(x, decimals: 1) }

    /// `x` with 1 or 2 digits after the point, exactly as `String(format: "%.1f")` / `"%.2f"`
    /// print it (round half to even on the exact binary value, "-0.0" for a small negative).
    /// Foundation's formatter and glibc's `printf` both spent about 19 000 instructions a
    /// number — most of a short file's table. The candidate is rounded once, then checked
    /// against the exact halfway points with `fma`, which rounds the exact x·10^d − h once and
    /// so gets its sign right. (The command line uses it too: `cFormat`'s C variadic call costs
    /// about 0.2 M instructions of conformance look-ups the first time.)
    package static func fixed(_ x: Double, decimals: Int) -> String {
        let scale: Double = decimals == 1 ? 10 : 100
        let a = abs(x)
        guard decimals == 1 || decimals == 2, a.isFinite, a < 1e13 else { return cFormat("%.\(decimals)f", x) }
        var c = (a * scale).rounded(.toNearestOrEven)
        let low = (-(c - 0.5)).addingProduct(a, scale)   // a·scale − (c − ½), rounded once
        let high = (-(c + 0.5)).addingProduct(a, scale)  // a·scale − (c + ½), rounded once
        // An exact tie (a·scale = k + ½) is a representable product, so the first rounding
        // already took the even neighbour; only a product rounded across a halfway point moves.
        if low < 0 { c -= 1 } else if high > 0 { c += 1 }
        let units = Int(c)
        let whole = units / Int(scale), fraction = units % Int(scale)
        let digits = decimals == 1 ? "\(fraction)" : (fraction < 10 ? "0\(fraction)" : "\(fraction)")
        return (x.sign == .minus ? "-" : "") + "\(whole)." + digits
    }
    private func padRight(_ s: String, _ width: Int) -> String {
        let n = s.count
        return n >= width ? s + " " : s + String(repeating: " ", count: width - n)
    }
    private func pad(_ s: String, _ width: Int) -> String {
        let n = s.count
        return n >= width ? s + " " : String(repeating: " ", count: width - n) + s
    }
}
