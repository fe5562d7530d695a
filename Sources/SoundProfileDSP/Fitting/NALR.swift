/// NAL-R (Byrne & Dillon 1986):
/// IG(f) = 0.31 · HTL(f) + 0.05 · (HTL500 + HTL1000 + HTL2000) + k(f).
///
/// A plain value; computing targets allocates (not for the audio thread).
public struct NALR: Prescription {
    /// k(f) in dB at the nine target frequencies 250 … 6000 Hz.
    public static let constants: [Double] = [-17, -8, -3, 1, 1, -1, -2, -2, -2]

    /// `"nal-r"`.
    public var name: String { PrescriptionRule.nalR.rawValue }

    /// Makes the rule.
    public init() {}

    /// The NAL-R formula in dB at the nine target frequencies, before clipping.
    public func unclippedTargetGains(for thresholds: HearingThresholds) -> [Double] {
        let x = 0.05 * (thresholds.dBHL(atHz: 500) + thresholds.dBHL(atHz: 1000) + thresholds.dBHL(atHz: 2000))
        return zip(thresholdsAtTargetFrequencies(thresholds), Self.constants).map { 0.31 * $0 + x + $1 }
    }
}
