/// POGO (prescription of gain and output, McCandless & Lyregaard 1983):
/// 0.5 · HTL + k, k = −10 dB at 250 Hz, −5 dB at 500 Hz, 0 dB elsewhere.
///
/// A plain value; computing targets allocates (not for the audio thread).
public struct POGO: Prescription {
    /// The low-frequency corrections k in dB at the nine target frequencies.
    public static let corrections: [Double] = [-10, -5, 0, 0, 0, 0, 0, 0, 0]

    /// `"pogo"`.
    public var name: String { PrescriptionRule.pogo.rawValue }

    /// Makes the rule.
    public init() {}

    /// 0.5 · HTL(f) + k(f) in dB at the nine target frequencies, before clipping.
    public func unclippedTargetGains(for thresholds: HearingThresholds) -> [Double] {
        zip(thresholdsAtTargetFrequencies(thresholds), Self.corrections).map { 0.5 * $0 + $1 }
    }
}
