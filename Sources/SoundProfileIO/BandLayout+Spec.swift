public import SoundProfileDSP
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

/// Why a band specification could not be parsed.
public struct BandSpecError: Error, Equatable, CustomStringConvertible {
    /// The option or field the text came from.
    public var field: String
    /// The text given.
    public var value: String
    /// What is allowed.
    public var allowed: String

    public var description: String { "\(field) \(value) is not allowed: it must be \(allowed)" }
}

extension BandLayout {
    /// The band layouts the command line accepts.
    public static let specHelp = "third-octave, octave, erb:N or log:N (N bands, 1…200), or custom:F1,F2,…,Fn (edges in Hz)"

    /// Parses a band layout from the command-line forms `third-octave`, `octave`, `erb:N`,
    /// `log:N` and `custom:F1,F2,…` over a range such as `125-8000` (Hz).
    /// - Parameters:
    ///   - spec: The layout text.
    ///   - range: `LOW-HIGH` in Hz; ignored for custom edges.
    /// - Throws: ``BandSpecError`` naming the option, or ``BandLayoutError`` for a bad range/count.
    public static func parse(spec: String, range: String) throws -> BandLayout {
        let isCustom = spec.hasPrefix("custom:")
        let (low, high) = isCustom ? (0, 0) : try parseRange(range)
        switch spec {
        case "third-octave", "1/3-octave": return try thirdOctave(from: low, to: high)
        case "octave": return try octave(from: low, to: high)
        default: break
        }
        let parts = spec.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw BandSpecError(field: "--bands", value: spec, allowed: specHelp) }
        switch parts[0] {
        case "erb", "log":
            guard let n = Int(parts[1]) else { throw BandSpecError(field: "--bands", value: spec, allowed: specHelp) }
            return parts[0] == "erb" ? try erb(count: n, from: low, to: high) : try logSpaced(count: n, from: low, to: high)
        case "custom":
            let edges = parts[1].split(separator: ",").map { Double(trimmed($0)) }
            guard edges.allSatisfy({ $0 != nil }) else { throw BandSpecError(field: "--bands", value: spec, allowed: "custom edges must be numbers in Hz, e.g. custom:100,500,2000,8000") }
            return try custom(edges: edges.map { $0! })
        default:
            throw BandSpecError(field: "--bands", value: spec, allowed: specHelp)
        }
    }

    /// Parses `LOW-HIGH` (Hz, e.g. `125-8000` or `31.5-16000`).
    /// - Throws: ``BandSpecError`` naming `--range`.
    public static func parseRange(_ text: String) throws -> (Double, Double) {
        let parts = text.split(separator: "-").map { Double(trimmed($0)) }
        guard parts.count == 2, let low = parts[0], let high = parts[1], low > 0, high >= low else {
            throw BandSpecError(field: "--range", value: text, allowed: "LOW-HIGH in Hz with 0 < LOW ≤ HIGH, e.g. 125-8000")
        }
        return (low, high)
    }

    /// `text` without leading and trailing white space. (Foundation's
    /// `trimmingCharacters(in: .whitespaces)` built a character set on first use: about a
    /// million instructions of every `analyze` start-up.)
    private static func trimmed(_ text: Substring) -> Substring {
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? start
        return text[start..<max(start, end)]
    }
}
