#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts ANSI S3.22 attack and release times into the time constants of the level smoother.
///
/// ANSI S3.22 measures attack as the time the output takes to settle within 3 dB of its steady
/// value after the input steps from 55 to 90 dB SPL, and release as the time to settle within
/// 4 dB after the step back to 55 dB SPL. The processor smooths each band's level in dB with a
/// one-pole filter, L_s(t) = L_end + (L_start − L_end)·e^(−t/τ), and applies the WDRC gain of
/// L_s. The output's distance from steady state is |G(L_s(t)) − G(L_end)|; with u = t/τ it
/// depends on u alone, so the first u* after which it stays within the tolerance is found by a
/// fine scan of the curve, and τ = T/u*. This is exact for any static curve (kneepoints,
/// limiter), not only for a straight compression segment. When the curve changes the gain by
/// no more than the tolerance over the step (a linear band), the level itself is made to settle
/// within the tolerance: u* = ln(35 dB / tolerance).
///
/// The smoother is not the only thing that shapes the output: each output sample is the
/// overlap-add of several analysis frames, and those frames reach up to `fftSize − hop` samples
/// past it (that is the latency). A frame that holds even a part of a loud onset already reads a
/// level near the loud one, so the gain starts to move before the onset reaches the output: the
/// detector leads by about (fftSize/2 − hop)/fs, 1–1.3 ms at the presets (measured: a 20 ms
/// setting settled in 18.5 ms on every preset). The processor passes that lead as
/// `detectorLead`, and the smoother is given T + lead, so the time measured on the output is the
/// time set.
public enum AttackRelease {
    /// The ANSI S3.22 step levels, in dB SPL.
    public static let lowLevelDBSPL = 55.0
    /// The ANSI S3.22 step levels, in dB SPL.
    public static let highLevelDBSPL = 90.0

    /// The smoothing time constant τ, in seconds, for an ANSI attack time on `curve`.
    /// - Parameters:
    ///   - milliseconds: The ANSI S3.22 attack time, in ms (> 0).
    ///   - curve: The band's static curve.
    ///   - detectorLead: How far the analysis frames see ahead of the output, in seconds (0 for an ideal detector).
    public static func attackTimeConstant(milliseconds: Double, curve: WDRCCurve, detectorLead: Double = 0) -> Double {
        smootherSeconds(milliseconds, detectorLead) / settlingUnits(curve: curve, from: lowLevelDBSPL, to: highLevelDBSPL, tolerance: 3)
    }

    /// The smoothing time constant τ, in seconds, for an ANSI release time on `curve`.
    /// - Parameters:
    ///   - milliseconds: The ANSI S3.22 release time, in ms (> 0).
    ///   - curve: The band's static curve.
    ///   - detectorLead: How far the analysis frames see ahead of the output, in seconds (0 for an ideal detector).
    public static func releaseTimeConstant(milliseconds: Double, curve: WDRCCurve, detectorLead: Double = 0) -> Double {
        smootherSeconds(milliseconds, detectorLead) / settlingUnits(curve: curve, from: highLevelDBSPL, to: lowLevelDBSPL, tolerance: 4)
    }

    /// The smoother's share of an ANSI time: the time plus the detector's lead.
    static func smootherSeconds(_ milliseconds: Double, _ detectorLead: Double) -> Double {
        let t = milliseconds / 1000
        return t + detectorLead
    }

    /// The per-block coefficient e^(−blockSeconds/τ) of a one-pole smoother.
    public static func coefficient(timeConstant tau: Double, blockSeconds: Double) -> Float {
        Float(exp(-blockSeconds / tau))
    }

    /// u* = t/τ at which the output settles within `tolerance` dB for good.
    static func settlingUnits(curve: WDRCCurve, from start: Double, to end: Double, tolerance: Double) -> Double {
        let step = end - start
        let steady = curve.gainDB(atInputDBSPL: end)
        // Scan u from large to small; the last u (smallest) with all later points inside wins.
        let uMax = log(abs(step) / 1e-4)
        let n = 20000
        var settled = uMax
        for i in stride(from: n, through: 0, by: -1) {
            let u = uMax * Double(i) / Double(n)
            let level = end - step * exp(-u)
            if abs(curve.gainDB(atInputDBSPL: level) - steady) > tolerance { break }
            settled = u
        }
        if settled <= 1e-9 { return log(abs(step) / tolerance) }
        return settled
    }
}
