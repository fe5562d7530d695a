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

extension VerificationReport {
    /// True when every check of `kind` passed ("fitting" or "pod-path").
    /// - Parameter kind: The check kind.
    public func passes(kind: String) -> Bool { checks.filter { $0.kind == kind }.allSatisfy(\.pass) }

    /// The verification sheet as text for reading: the measurements per frequency, then every
    /// check with its limit, worst value and PASS/FAIL. Levels in dB SPL, gains in dB.
    public func table() -> String {
        func f1(_ x: Double) -> String { cFormat("%.1f", abs(x) < 0.05 ? 0 : x) }  // no "-0.0"
        func signed(_ x: Double) -> String { cFormat("%+.1f", abs(x) < 0.05 ? 0 : x) }
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
        func padRight(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        func hz(_ f: Double) -> String { f >= 1000 ? cFormat(f.truncatingRemainder(dividingBy: 1000) < 1 ? "%.0fk" : "%.2gk", f / 1000) : String(Int(f.rounded())) }
        var out = ""
        out += "Test box: \(preset) (\(Int(sampleRate)) Hz), \(ear) ear, rule \(rule), full scale \(f1(fullScaleDBSPL)) dB SPL"
        out += refitted ? ", profile refitted into the preset's channels\n" : "\n"
        out += "Latency \(latency.samples) samples (\(cFormat("%.2f", latency.milliseconds)) ms); group delay "
        out += groupDelay.map { "\(hz($0.frequencyHz)) Hz \(cFormat("%.2f", $0.milliseconds)) ms" }.joined(separator: ", ") + "\n\n"

        out += "Tone sweeps (output at the tone's frequency, dB SPL; gain and prescribed gain, dB)\n"
        out += ["Hz", "OSPL90", "MPO", "gain@50", "presc", "gain@60", "presc"].enumerated().map { pad($1, $0 == 0 ? 6 : 8) }.joined() + "\n"
        for (i, p) in ospl90.points.enumerated() {
            let a = fullOnGain.points[i], b = response60.points[i]
            out += pad(hz(p.frequencyHz), 6) + [p.totalOutputDBSPL, p.mpoDBSPL, a.gainDB, a.prescribedGainDB, b.gainDB, b.prescribedGainDB].map { pad(f1($0), 8) }.joined() + "\n"
        }
        out += "\nInsertion gain for LTASS noise (dB): realised / prescribed / difference; * = checked\n"
        out += pad("Hz", 6) + insertionGain.map { pad("\(Int($0.speechDBSPL)) dB SPL", 21) }.joined() + "\n"
        if let first = insertionGain.first {
            for (i, band) in first.bands.enumerated() {
                out += pad(band.label, 6) + insertionGain.map { curve in
                    let b = curve.bands[i]
                    return pad(f1(b.realisedDB), 7) + pad(f1(b.prescribedDB), 7) + pad(signed(b.differenceDB), 6) + (b.checked ? "*" : " ")
                }.joined() + "\n"
            }
        }
        out += "\nInput/output (output dB SPL at the tone's frequency; prescribed in brackets)\n"
        out += pad("in", 6) + ioCurves.map { pad("\(hz($0.frequencyHz)) Hz", 15) }.joined() + "\n"
        for (i, level) in TestBox.ioLevelsDBSPL.enumerated() {
            out += pad(String(Int(level)), 6) + ioCurves.map { c in
                i < c.points.count ? pad(f1(c.points[i].outputDBSPL), 7) + " (" + pad(f1(c.points[i].prescribedOutputDBSPL), 5) + ")" : pad("", 15)
            }.joined() + "\n"
        }
        let ar = attackRelease
        out += "\nAttack/release at \(hz(ar.frequencyHz)) Hz, \(Int(ar.lowDBSPL))↔\(Int(ar.highDBSPL)) dB SPL (ANSI S3.22): attack "
        out += "\(f1(ar.attackMilliseconds)) ms (fitted \(f1(ar.fittedAttackMilliseconds))), release \(f1(ar.releaseMilliseconds)) ms (fitted \(f1(ar.fittedReleaseMilliseconds)))\n"
        out += "THD at 70 dB SPL: " + distortion.map { "\(Int($0.frequencyHz)) Hz \(cFormat("%.2f", $0.thdPercent)) %" }.joined(separator: ", ") + "\n\n"

        out += "Checks\n"
        let width = max(34, (checks.map(\.name.count).max() ?? 0) + 1)
        out += padRight("check", width) + padRight("kind", 10) + padRight("limit", 30) + padRight("worst", 36) + "result\n"
        for c in checks {
            let worst = (c.unit == "ms" ? c.worstAt : "\(c.worst >= 0 && c.unit == "dB" ? "+" : "")\(cFormat("%.2f", c.worst)) \(c.unit) at \(c.worstAt)")
            out += padRight(c.name, width) + padRight(c.kind, 10) + padRight(c.limit, 30) + padRight(worst, 36) + (c.pass ? "PASS" : "FAIL") + "\n"
        }
        out += "Fitting checks: \(passes(kind: "fitting") ? "PASS" : "FAIL"); pod-path checks: \(passes(kind: "pod-path") ? "PASS" : "FAIL")\n"
        return out
    }
}
