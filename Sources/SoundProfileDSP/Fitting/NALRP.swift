#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// NAL-RP (Byrne, Parkinson & Newall 1990): NAL-R with the two severe-loss corrections.
///
/// - When the three-frequency average H3FA = (HTL500 + HTL1000 + HTL2000)/3 exceeds 60 dB HL,
///   every target gains 0.2 · (H3FA − 60) dB.
/// - When HTL2000 ≥ 95 dB HL, the published per-frequency correction (rows for HTL2000 = 95,
///   100, …, 120 dB HL) is added, linear in HTL2000 between rows and the 120 row above 120.
///   The table is published at 250, 500, 1000, 1500, 2000, 3000, 4000, 6000 Hz; the 750 Hz
///   correction is the project's decision (Fixtures/fitting/README.md): the 500 and 1000 Hz
///   corrections interpolated linearly in log10(frequency).
///
/// A plain value; computing targets allocates (not for the audio thread).
public struct NALRP: Prescription {
    /// HTL2000 in dB HL of the correction table's rows.
    public static let correctionRowsDBHL: [Double] = [95, 100, 105, 110, 115, 120]
    /// The published correction in dB, per row, at 250, 500, 1000, 1500, 2000, 3000, 4000, 6000 Hz.
    public static let publishedCorrections: [[Double]] = [
        [4, 3, 0, -1, -2, -2, -2, -2],
        [6, 4, 0, -2, -3, -3, -3, -3],
        [8, 5, 0, -3, -5, -5, -5, -5],
        [11, 7, 0, -3, -6, -6, -6, -6],
        [13, 8, 0, -4, -8, -8, -8, -8],
        [15, 9, 0, -5, -9, -9, -9, -9],
    ]

    /// `"nal-rp"`.
    public var name: String { PrescriptionRule.nalRP.rawValue }

    /// Makes the rule.
    public init() {}

    /// The HTL2000 ≥ 95 dB HL correction in dB at the nine target frequencies (zeros below 95).
    /// - Parameter htl2000: The threshold at 2000 Hz, in dB HL.
    public static func severeLossCorrection(htl2000: Double) -> [Double] {
        guard htl2000 >= 95 else { return Array(repeating: 0, count: PrescriptionRule.targetFrequenciesHz.count) }
        let rows = correctionRowsDBHL
        let h = min(htl2000, rows[rows.count - 1])
        var r = 0
        while r + 1 < rows.count - 1, rows[r + 1] <= h { r += 1 }
        let t = (h - rows[r]) / (rows[r + 1] - rows[r])
        let c = zip(publishedCorrections[r], publishedCorrections[r + 1]).map { $0 + t * ($1 - $0) }
        // c: 250, 500, 1000, 1500, 2000, 3000, 4000, 6000 Hz; 750 Hz between 500 and 1000 in log-frequency.
        let c750 = c[1] + log10(750.0 / 500) / log10(1000.0 / 500) * (c[2] - c[1])
        return [c[0], c[1], c750, c[2], c[3], c[4], c[5], c[6], c[7]]
    }

    /// NAL-R plus both corrections in dB at the nine target frequencies, before clipping.
    public func unclippedTargetGains(for thresholds: HearingThresholds) -> [Double] {
        var g = NALR().unclippedTargetGains(for: thresholds)
        let h2000 = thresholds.dBHL(atHz: 2000)
        let h3fa = (thresholds.dBHL(atHz: 500) + thresholds.dBHL(atHz: 1000) + h2000) / 3
        let severe = h3fa > 60 ? 0.2 * (h3fa - 60) : 0
        let correction = Self.severeLossCorrection(htl2000: h2000)
        for i in g.indices { g[i] += severe + correction[i] }
        return g
    }
}
