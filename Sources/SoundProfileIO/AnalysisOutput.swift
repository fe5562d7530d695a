import Foundation

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

    /// The CSV columns, in order.
    public static let csvColumns = ["file", "sampleRate", "channelCount", "durationSeconds", "fftSize", "hop", "fullScaleDBSPL",
                                    "channel", "overallLeqDB", "centerHz", "lowerHz", "upperHz",
                                    "leqDB", "l10DB", "l50DB", "l90DB", "minDB", "maxDB", "error"]

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
                data = (try? encoder.encode(FileAnalysisFailure(file: r.file, error: "the result could not be encoded: \(error)"))) ?? Data()
            }
        case .failure(let f): data = (try? encoder.encode(f)) ?? Data()
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// A CSV field, quoted when it holds a comma, quote or newline (RFC 4180).
    static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    private func csv(_ record: AnalysisRecord) -> String {
        switch record {
        case .failure(let f):
            return Self.csvField(f.file) + String(repeating: ",", count: Self.csvColumns.count - 1) + Self.csvField(f.error) + "\n"
        case .success(let r):
            var out = ""
            let fileFields = [Self.csvField(r.file), "\(r.sampleRate)", "\(r.channelCount)", "\(r.durationSeconds)", "\(r.fftSize)",
                              "\(r.hop)", "\(r.fullScaleDBSPL)"]
            for ch in r.channels {
                for b in ch.bands {
                    let fields = fileFields + ["\(ch.channel)", "\(ch.overallLeqDB)", "\(b.centerHz)", "\(b.lowerHz)", "\(b.upperHz)",
                                               "\(b.leqDB)", "\(b.l10DB)", "\(b.l50DB)", "\(b.l90DB)", "\(b.minDB)", "\(b.maxDB)", ""]
                    out += fields.joined(separator: ",") + "\n"
                }
            }
            return out
        }
    }

    private func table(_ record: AnalysisRecord) -> String {
        switch record {
        case .failure(let f):
            return "\(f.file)\n  FAILED: \(f.error)\n\n"
        case .success(let r):
            var out = "\(r.file)\n"
            out += "  \(r.sampleRate) Hz, \(r.channelCount) channel\(r.channelCount == 1 ? "" : "s"), \(String(format: "%.2f", r.durationSeconds)) s; "
            out += "FFT \(r.fftSize), hop \(r.hop), Hann; full scale (RMS 1.0) = \(fmt1(r.fullScaleDBSPL)) dB SPL\n"
            for ch in r.channels {
                out += "  channel \(ch.channel)\(r.channelCount == 2 ? (ch.channel == 0 ? " (left)" : " (right)") : ""): overall Leq \(fmt1(ch.overallLeqDB)) dB SPL\n"
                out += "    " + pad("centre Hz", 10) + pad("band Hz", 16) + ["Leq", "L10", "L50", "L90", "min", "max"].map { pad($0, 7) }.joined() + "  (levels in dB SPL)\n"
                for b in ch.bands {
                    let edges = "\(Int(b.lowerHz.rounded()))–\(Int(b.upperHz.rounded()))"
                    out += "    " + pad(centre(b.centerHz), 10) + pad(edges, 16)
                        + [b.leqDB, b.l10DB, b.l50DB, b.l90DB, b.minDB, b.maxDB].map { pad(fmt1($0), 7) }.joined() + "\n"
                }
            }
            return out + "\n"
        }
    }

    private func fmt1(_ x: Double) -> String { String(format: "%.1f", x) }
    private func centre(_ hz: Double) -> String { hz >= 1000 ? String(format: "%.2fk", hz / 1000) : String(format: "%.1f", hz) }
    private func pad(_ s: String, _ width: Int) -> String {
        let n = s.count
        return n >= width ? s + " " : String(repeating: " ", count: width - n) + s
    }
}
