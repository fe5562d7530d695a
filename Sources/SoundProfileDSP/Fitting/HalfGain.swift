/// The half-gain rule: insertion gain = 0.5 · HTL at each target frequency.
///
/// A plain value; computing targets allocates (not for the audio thread).
public struct HalfGain: Prescription {
    /// `"half-gain"`.
    public var name: String { PrescriptionRule.halfGain.rawValue }

    /// Makes the rule.
    public init() {}

    /// 0.5 · HTL(f) in dB at the nine target frequencies, before clipping.
    public func unclippedTargetGains(for thresholds: HearingThresholds) -> [Double] {
        thresholdsAtTargetFrequencies(thresholds).map { 0.5 * $0 }
    }
}
