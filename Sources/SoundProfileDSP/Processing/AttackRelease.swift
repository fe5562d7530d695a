#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts ANSI S3.22 attack and release times into the time constants of the level detector.
///
/// ANSI S3.22 measures attack as the time the output takes to settle within 3 dB of its steady
/// value after the input steps from 55 to 90 dB SPL, and release as the time to settle within
/// 4 dB after the step back to 55 dB SPL. The processor smooths each channel's *amplitude* (the
/// square root of its power) with a one-pole filter, A_s(t) = A_end + (A_start − A_end)·e^(−t/τ),
/// and applies the WDRC gain of L_s = 20·log10(A_s). The domain matters for fluctuating sounds:
/// an asymmetric smoother follows peaks or dips, and with the ANSI times a dB smoother reads
/// noise 1.3–1.6 dB high and a power smoother 0.3–0.7 dB low, while in amplitude the attack and
/// release constants come out nearly equal (9 and 14 ms for 5/50 ms at CR 2) and noise reads
/// within 0.2 dB of its mean level (simulated on Gaussian noise). The output's distance
/// from steady state is |G(L_s(t)) − G(L_end)|; with u = t/τ it depends on u alone, so the first
/// u* after which it stays within the tolerance gives τ = T/u*. u* is found by a coarse scan
/// (64 points) refined by bisection on the smoothed level (monotonic in u, and no exp or log per
/// step), then mapped back to u — exact for any static curve (kneepoints, limiter), and a few
/// hundred curve evaluations per channel instead of a fine scan. When the curve changes the gain
/// by no more than the tolerance over the step (a linear channel), the level itself is made to
/// settle within the tolerance.
///
/// The smoother is not the only thing that shapes the output: each output sample is the
/// overlap-add of several analysis frames, and those frames reach up to `fftSize − hop` samples
/// past it. A frame that holds even a part of a loud onset already reads a level near the loud
/// one, so the gain starts to move before the onset reaches the output: the detector leads by
/// about (fftSize/2 − hop)/fs. The processor passes that lead as `detectorLead`, and the smoother
/// is given T + lead, so the time measured on the output is the time set.
public enum AttackRelease {
    /// The ANSI S3.22 step levels, in dB SPL.
    public static let lowLevelDBSPL = 55.0
    /// The ANSI S3.22 step levels, in dB SPL.
    public static let highLevelDBSPL = 90.0

    /// The smoothing time constant τ, in seconds, for an ANSI attack time on `curve`.
    /// - Parameters:
    ///   - milliseconds: The ANSI S3.22 attack time, in ms (> 0).
    ///   - curve: The channel's static curve.
    ///   - detectorLead: How far the analysis frames see ahead of the output, in seconds (0 for an ideal detector).
    public static func attackTimeConstant(milliseconds: Double, curve: WDRCCurve, detectorLead: Double = 0) -> Double {
        smootherSeconds(milliseconds, detectorLead) / settlingUnits(curve: curve, from: lowLevelDBSPL, to: highLevelDBSPL, tolerance: 3)
    }

    /// The smoothing time constant τ, in seconds, for an ANSI release time on `curve`.
    /// - Parameters:
    ///   - milliseconds: The ANSI S3.22 release time, in ms (> 0).
    ///   - curve: The channel's static curve.
    ///   - detectorLead: How far the analysis frames see ahead of the output, in seconds (0 for an ideal detector).
    public static func releaseTimeConstant(milliseconds: Double, curve: WDRCCurve, detectorLead: Double = 0) -> Double {
        smootherSeconds(milliseconds, detectorLead) / settlingUnits(curve: curve, from: highLevelDBSPL, to: lowLevelDBSPL, tolerance: 4)
    }

    /// The smoother's share of an ANSI time: the time plus the detector's lead.
    static func smootherSeconds(_ milliseconds: Double, _ detectorLead: Double) -> Double {
        milliseconds / 1000 + detectorLead
    }

    /// The per-block coefficient e^(−blockSeconds/τ) of a one-pole smoother.
    public static func coefficient(timeConstant tau: Double, blockSeconds: Double) -> Float {
        Float(exp(-blockSeconds / tau))
    }

    /// The smoothed level after u time constants of an amplitude-domain step from `start` to `end` dB.
    static func level(_ u: Double, from start: Double, to end: Double) -> Double {
        level(u, end: end, stepRatio: pow(10, (start - end) / 20) - 1)
    }

    /// ``level(_:from:to:)`` with A_start/A_end − 1 = 10^((start − end)/20) − 1 given (the
    /// same for every u of a scan).
    static func level(_ u: Double, end: Double, stepRatio: Double) -> Double {
        // 20·log10(A_end + (A_start − A_end)·e^(−u)), relative to A_end to stay finite.
        end + 20 * log10(1 + stepRatio * exp(-u))
    }

    /// u* = t/τ at which the output settles within `tolerance` dB for good.
    static func settlingUnits(curve: WDRCCurve, from start: Double, to end: Double, tolerance: Double) -> Double {
        let steady = curve.gainDB(atInputDBSPL: end)
        let gainMoves = abs(curve.gainDB(atInputDBSPL: start) - steady) > tolerance
        let stepRatio = pow(10, (start - end) / 20) - 1
        // Outside the tolerance at smoothed level l: the gain (or, for a linear curve, the level)
        // is still moving. The level moves monotonically from start to end as u grows.
        func outside(level l: Double) -> Bool {
            gainMoves ? abs(curve.gainDB(atInputDBSPL: l) - steady) > tolerance : abs(l - end) > tolerance
        }
        func outside(_ u: Double) -> Bool { outside(level: level(u, end: end, stepRatio: stepRatio)) }
        let uMax = 40.0  // e^(−40): any 35 dB step has settled to far below 0.01 dB
        let n = 64
        // The last coarse point still outside; the curve may be non-monotonic, so scan all.
        var lastOutside = -1
        for i in 0...n where outside(uMax * Double(i) / Double(n)) { lastOutside = i }
        if lastOutside < 0 { return 1e-3 }
        if lastOutside == n { return uMax }
        let uLow = uMax * Double(lastOutside) / Double(n), uHigh = uMax * Double(lastOutside + 1) / Double(n)
        // Bisection on the level between the two points (no exp or log per step), then the u
        // of the level found: e^(−u) = (10^((l − end)/20) − 1) / stepRatio.
        var lo = level(uLow, end: end, stepRatio: stepRatio), hi = level(uHigh, end: end, stepRatio: stepRatio)
        for _ in 0..<40 {
            let mid = (lo + hi) / 2
            if outside(level: mid) { lo = mid } else { hi = mid }
        }
        let u = -log((pow(10, (hi - end) / 20) - 1) / stepRatio)
        return max(min(max(u.isFinite ? u : uHigh, uLow), uHigh), 1e-3)
    }
}
