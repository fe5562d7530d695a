/// A prescription rule: target insertion gain for 65 dB SPL speech from one ear's thresholds.
///
/// A new rule is a new conforming type; nothing else changes. Implement
/// ``unclippedTargetGains(for:)`` (the rule's formula); callers use ``targetGains(for:)``, which
/// clips negative gains to 0 dB as DESIGN.md requires for every rule. Not used on the audio
/// thread.
public protocol Prescription: Sendable {
    /// The rule's name as written in a fitted profile's `rule` field (e.g. `"nal-r"`).
    var name: String { get }

    /// The rule's formula, before clipping: insertion gain in dB at each of
    /// ``PrescriptionRule/targetFrequenciesHz`` (250 … 6000 Hz), in that order.
    /// - Parameter thresholds: One ear's thresholds (interpolated where not measured).
    /// - Returns: Nine gains in dB; may be negative.
    func unclippedTargetGains(for thresholds: HearingThresholds) -> [Double]
}

extension Prescription {
    /// Target insertion gains in dB at ``PrescriptionRule/targetFrequenciesHz``, negative
    /// values set to 0 dB.
    /// - Parameter thresholds: One ear's thresholds.
    /// - Returns: Nine gains in dB, each ≥ 0.
    public func targetGains(for thresholds: HearingThresholds) -> [Double] {
        unclippedTargetGains(for: thresholds).map { max(0, $0) }
    }

    /// The clipped targets as `(frequencyHz, insertionGainDB)` entries, as a fitted profile
    /// stores them.
    /// - Parameter thresholds: One ear's thresholds.
    /// - Returns: Nine targets, 250 … 6000 Hz.
    public func targets(for thresholds: HearingThresholds) -> [TargetGain] {
        zip(PrescriptionRule.targetFrequenciesHz, targetGains(for: thresholds)).map {
            TargetGain(frequencyHz: $0, insertionGainDB: $1)
        }
    }

    /// Thresholds in dB HL at the nine target frequencies.
    func thresholdsAtTargetFrequencies(_ t: HearingThresholds) -> [Double] {
        PrescriptionRule.targetFrequenciesHz.map { t.dBHL(atHz: $0) }
    }
}
