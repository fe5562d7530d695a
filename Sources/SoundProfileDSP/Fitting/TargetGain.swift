#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A prescription target: insertion gain in dB at one frequency, for 65 dB SPL speech.
///
/// A plain value; real-time safe.
public struct TargetGain: Sendable, Equatable, Codable {
    /// The frequency, in Hz.
    public var frequencyHz: Double
    /// The target insertion gain, in dB.
    public var insertionGainDB: Double

    /// Makes a target.
    /// - Parameters:
    ///   - frequencyHz: In Hz.
    ///   - insertionGainDB: In dB.
    public init(frequencyHz: Double, insertionGainDB: Double) {
        self.frequencyHz = frequencyHz
        self.insertionGainDB = insertionGainDB
    }

    enum CodingKeys: String, CodingKey { case frequencyHz, insertionGainDB }
    /// The keys of a target object, in the order messages list them.
    static let jsonKeys = ["frequencyHz", "insertionGainDB"]

    /// Decodes a target of the profile JSON.
    /// - Throws: ``JSONKeyError`` for a key other than `frequencyHz` and `insertionGainDB`,
    ///   `DecodingError` for a missing key or a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, allowed: Self.jsonKeys)
        frequencyHz = try c.decode(Double.self, member: CodingKeys.frequencyHz)
        insertionGainDB = try c.decode(Double.self, member: CodingKeys.insertionGainDB)
    }
}

extension Array where Element == TargetGain {
    /// The target insertion gain at any frequency, in dB: linear in log10(frequency) between
    /// the targets (sorted by increasing frequency), flat below the first and above the last
    /// (250 Hz and 6 kHz for a prescription).
    /// - Parameter f: The frequency, in Hz (for a band, its centre).
    /// - Returns: The gain in dB.
    ///
    /// Real-time safe: no allocation.
    public func insertionGainDB(atHz f: Double) -> Double {
        precondition(!isEmpty, "no targets to interpolate")
        if f <= self[0].frequencyHz { return self[0].insertionGainDB }
        if f >= self[count - 1].frequencyHz { return self[count - 1].insertionGainDB }
        var i = 1
        while self[i].frequencyHz < f { i += 1 }
        let lo = self[i - 1], hi = self[i]
        let t = log10(f / lo.frequencyHz) / log10(hi.frequencyHz / lo.frequencyHz)
        return lo.insertionGainDB + t * (hi.insertionGainDB - lo.insertionGainDB)
    }
}
