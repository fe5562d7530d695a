/// The prescription rules this library ships, by the names the CLI and the profile use.
///
/// A rule outside this list still works: pass any ``Prescription`` to ``FittingOptions``.
/// Real-time safe to read (plain values).
public enum PrescriptionRule: String, Sendable, CaseIterable, Codable {
    /// NAL-R (Byrne & Dillon 1986): ``NALR``.
    case nalR = "nal-r"
    /// NAL-RP (Byrne, Parkinson & Newall 1990): ``NALRP``.
    case nalRP = "nal-rp"
    /// Half-gain rule: ``HalfGain``.
    case halfGain = "half-gain"
    /// POGO (McCandless & Lyregaard 1983): ``POGO``.
    case pogo

    /// The nine NAL-R frequencies at which every rule prescribes, in Hz.
    public static let targetFrequenciesHz: [Double] = [250, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000]

    /// The rule as a value that computes targets.
    public var prescription: any Prescription {
        switch self {
        case .nalR: NALR()
        case .nalRP: NALRP()
        case .halfGain: HalfGain()
        case .pogo: POGO()
        }
    }
}
