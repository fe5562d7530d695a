/// The tolerances of `soundprofile verify`.
public struct VerificationTolerances: Codable, Sendable, Equatable {
    /// Realised response (LTASS insertion gain, tones 50–90 dB SPL at 500–4000 Hz, response at
    /// 60 dB SPL) vs the prescription, ± in dB. Default 3 dB (common fitting practice).
    public var responseDB: Double = 3
    /// The largest THD allowed at 70 dB SPL input, in %.
    public var maximumTHDPercent: Double = 5
    /// Attack and release measured vs fitted, ± in % of the fitted time.
    public var timePercent: Double = 20

    /// The default tolerances.
    public init() {}
}
