import SoundProfileDSP
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension TestBox {
    /// The checks of a report: the user's tolerances ("fitting") and this project's pod-path limits
    /// ("pod-path": LTASS ±1.0 dB at 65, ±1.5 dB at 55/80 dB SPL from 315 Hz to min(6 kHz, 0.4·fs),
    /// pod16k ±3 dB below 500 Hz; tones ±1.0 dB, 500 Hz ±1.5 dB, pod16k ±2.0 dB).
    func checks(_ report: VerificationReport) -> [VerificationReport.VerificationCheck] {
        let podName = configuration.name ?? ""
        var checks: [VerificationReport.VerificationCheck] = []
        // The worst value: the largest magnitude for a ± limit, the largest value for an upper limit.
        func add(_ name: String, _ kind: String, _ limit: String, _ unit: String, _ values: [(value: Double, at: String, pass: Bool)], upperLimit: Bool = false) {
            guard let worst = values.max(by: { upperLimit ? $0.value < $1.value : abs($0.value) < abs($1.value) }) else { return }
            checks.append(.init(name: name, kind: kind, limit: limit, worst: worst.value, worstAt: worst.at, unit: unit,
                                pass: values.allSatisfy(\.pass)))
        }
        let r = tolerances.responseDB
        let rText = "±" + cFormat("%.1f", r) + " dB"
        for curve in report.insertionGain {
            let bands = curve.bands.filter(\.checked)
            let name = "insertion gain, LTASS \(Int(curve.speechDBSPL)) dB SPL"
            add(name, "fitting", rText, "dB", bands.map { ($0.differenceDB, "\($0.label) Hz", abs($0.differenceDB) <= r) })
            let pod = curve.speechDBSPL == 65 ? 1.0 : 1.5
            add(name, "pod-path", podName == "pod16k" ? "±\(pod) dB (±3 dB below 500 Hz)" : "±\(pod) dB", "dB", bands.map {
                ($0.differenceDB, "\($0.label) Hz", abs($0.differenceDB) <= (podName == "pod16k" && $0.centerHz < 490 ? 3 : pod))
            })
        }
        let tones = report.ioCurves.flatMap { curve in
            curve.points.filter { (50...90).contains($0.inputDBSPL) }.map { (f: curve.frequencyHz, p: $0) }
        }
        func podToneTolerance(_ f: Double) -> Double { podName == "pod16k" ? 2 : (f == 500 ? 1.5 : 1) }
        add("tones 500–4000 Hz, 50–90 dB SPL", "fitting", rText, "dB", tones.map {
            ($0.p.outputDBSPL - $0.p.prescribedOutputDBSPL, "\(Int($0.f)) Hz \(Int($0.p.inputDBSPL)) dB SPL", abs($0.p.outputDBSPL - $0.p.prescribedOutputDBSPL) <= r)
        })
        add("tones 500–4000 Hz, 50–90 dB SPL", "pod-path", podName == "pod16k" ? "±2.0 dB" : "±1.0 dB (500 Hz ±1.5)", "dB", tones.map {
            ($0.p.outputDBSPL - $0.p.prescribedOutputDBSPL, "\(Int($0.f)) Hz \(Int($0.p.inputDBSPL)) dB SPL",
             abs($0.p.outputDBSPL - $0.p.prescribedOutputDBSPL) <= podToneTolerance($0.f))
        })
        let inRange = report.response60.points.filter { checkedRangeHz.contains($0.frequencyHz) }
        add("response at 60 dB SPL", "fitting", rText, "dB", inRange.map {
            ($0.gainDB - $0.prescribedGainDB, "\(Int($0.frequencyHz.rounded())) Hz", abs($0.gainDB - $0.prescribedGainDB) <= r)
        })
        add("OSPL90 vs channel MPO", "fitting", "≤ MPO + 2 dB", "dB", report.ospl90.points.map {
            ($0.totalOutputDBSPL - $0.mpoDBSPL, "\(Int($0.frequencyHz.rounded())) Hz", $0.totalOutputDBSPL - $0.mpoDBSPL <= 2)
        }, upperLimit: true)
        let t = tolerances.timePercent
        let ar = report.attackRelease
        add("attack time (ANSI S3.22, 2 kHz)", "fitting", "±\(Int(t)) % of \(fmtMs(ar.fittedAttackMilliseconds))", "ms",
            [(ar.attackMilliseconds, "\(fmtMs(ar.attackMilliseconds)) measured", abs(ar.attackMilliseconds / ar.fittedAttackMilliseconds - 1) * 100 <= t)])
        add("release time (ANSI S3.22, 2 kHz)", "fitting", "±\(Int(t)) % of \(fmtMs(ar.fittedReleaseMilliseconds))", "ms",
            [(ar.releaseMilliseconds, "\(fmtMs(ar.releaseMilliseconds)) measured", abs(ar.releaseMilliseconds / ar.fittedReleaseMilliseconds - 1) * 100 <= t)])
        add("THD at 70 dB SPL", "fitting", "≤ " + cFormat("%g", tolerances.maximumTHDPercent) + " %", "%", report.distortion.map {
            ($0.thdPercent, "\(Int($0.frequencyHz)) Hz", $0.thdPercent <= tolerances.maximumTHDPercent)
        }, upperLimit: true)
        return checks
    }

    private func fmtMs(_ x: Double) -> String { cFormat("%.1f ms", x) }
}
