/// A wearer's audiogram: hearing threshold levels in dB HL for one or both ears.
///
/// Rules (DESIGN.md "Audiogram"): frequencies in 125…8000 Hz, each at most once; thresholds in
/// −10…120 dB HL; 500, 1000 and 2000 Hz present for every ear given; at least one ear.
/// Codable as the audiogram file of DESIGN.md "Formats"; decoding validates and throws
/// ``AudiogramError``. Not used on the audio thread.
public struct Audiogram: Sendable, Equatable {
    /// The thresholds a file may hold, in dB HL.
    public static let allowedDBHL: ClosedRange<Double> = -10...120
    /// The audiometric frequencies a file may hold, in Hz.
    public static let allowedFrequenciesHz: ClosedRange<Double> = 125...8000
    /// The frequencies every ear must have, in Hz.
    public static let requiredFrequenciesHz: [Double] = [500, 1000, 2000]
    /// The file format version this library reads and writes.
    public static let schemaVersion = 1

    /// The right ear's thresholds, if measured.
    public let right: HearingThresholds?
    /// The left ear's thresholds, if measured.
    public let left: HearingThresholds?

    /// Validates and stores an audiogram.
    /// - Parameters:
    ///   - right: Right-ear thresholds in dB HL keyed by frequency in Hz, or nil.
    ///   - left: Left-ear thresholds in dB HL keyed by frequency in Hz, or nil.
    /// - Throws: ``AudiogramError`` naming ear, frequency, value and the allowed range;
    ///   ``AudiogramError/noEars`` when both are nil.
    public init(right: [Double: Double]? = nil, left: [Double: Double]? = nil) throws {
        try self.init(right: right.map { try HearingThresholds(ear: .right, dBHLByHz: $0) },
                      left: left.map { try HearingThresholds(ear: .left, dBHLByHz: $0) })
    }

    init(right: HearingThresholds?, left: HearingThresholds?) throws {
        guard right != nil || left != nil else { throw AudiogramError.noEars }
        self.right = right
        self.left = left
    }

    /// The thresholds of `ear`, or nil when that ear was not measured.
    public subscript(ear: Ear) -> HearingThresholds? {
        switch ear {
        case .right: right
        case .left: left
        }
    }

    /// The ears present, right first.
    public var ears: [Ear] { Ear.allCases.filter { self[$0] != nil } }
}
