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

extension Pictures {
    /// The test-box sheet of a ``VerificationReport``, 1320 × 900 px: OSPL90 with the channel MPOs;
    /// gain for 50 and 60 dB SPL tones with the prescription; LTASS insertion gain at 55/65/80 dB SPL
    /// with the prescription; its difference from the prescription with the tolerances; the
    /// input/output curves at 500–4000 Hz with the prescription; and the latency, group delay,
    /// attack/release, THD and every check (PASS green, FAIL red).
    /// - Parameter report: The measurements.
    /// - Returns: The picture; panels "ospl90", "gain", "insertion", "difference", "io".
    public static func verification(_ report: VerificationReport) -> SVGPicture {
        var svg = SVGDocument(width: 1320, height: 900)
        let title = "Test box: \(report.preset) (\(Int(report.sampleRate)) Hz), \(report.ear) ear, rule \(report.rule)"
        svg.text(title, 20, 28, size: 16, weight: "bold")
        svg.text("Levels in dB SPL re full scale \(n(report.fullScaleDBSPL)) dB SPL. Solid: measured on the processor's output; dashed: the prescription.",
                 20, 48, size: 11, color: "#555555")
        let fMax = report.sampleRate >= 17800 ? 8000.0 : 8000 * report.sampleRate / 17800
        func freq() -> PlotAxis { var a = PlotAxis.frequency(from: 160, to: max(fMax, 1000)); a.ticks = a.ticks.filter { $0.value >= 160 }; return a }
        let w = 320.0, h = 250.0
        let columns = [80.0, 480, 880], rows = [90.0, 430]
        var panels: [String: PlotPanel] = [:]

        // OSPL90
        let ospl = report.ospl90.points
        let oHi = ((ospl.flatMap { [$0.totalOutputDBSPL, $0.mpoDBSPL] }.max() ?? 120) / 10).rounded(.up) * 10 + 5
        let o = PlotPanel(left: columns[0], top: rows[0], width: w, height: h, x: freq(), y: .linear(from: oHi, to: oHi - 60, step: 10, label: "Output (dB SPL)"),
                          title: "OSPL90: 90 dB SPL tones")
        o.drawAxes(&svg)
        o.series(&svg, ospl.map { ($0.frequencyHz, $0.mpoDBSPL) }, color: "#888888", width: 1.5, dash: "6,3", cssClass: "mpo")
        o.series(&svg, ospl.map { ($0.frequencyHz, $0.totalOutputDBSPL) }, color: "#d62728", width: 2, marker: .dot, cssClass: "ospl90")
        o.legend(&svg, [("OSPL90", "#d62728", nil, .dot), ("Channel MPO", "#888888", "6,3", nil)], atRight: true)
        panels["ospl90"] = o

        // Gain at 50 and 60 dB SPL
        let gains = (report.fullOnGain.points + report.response60.points).flatMap { [$0.gainDB, $0.prescribedGainDB] }
        let gHi = ((gains.max() ?? 40) / 10).rounded(.up) * 10 + 5, gLo = min(-5, ((gains.min() ?? 0) / 10).rounded(.down) * 10)
        let g = PlotPanel(left: columns[1], top: rows[0], width: w, height: h, x: freq(), y: .linear(from: gHi, to: gLo, step: 10, label: "Gain (dB)"),
                          title: "Full-on gain (50) and response (60 dB SPL)")
        g.drawAxes(&svg)
        for (sweep, c) in [(report.fullOnGain, "#1b9e77"), (report.response60, "#7570b3")] {
            g.series(&svg, sweep.points.map { ($0.frequencyHz, $0.prescribedGainDB) }, color: c, width: 1.2, dash: "6,3", cssClass: "prescribed-\(Int(sweep.inputDBSPL))")
            g.series(&svg, sweep.points.map { ($0.frequencyHz, $0.gainDB) }, color: c, width: 2, marker: .dot, cssClass: "gain-\(Int(sweep.inputDBSPL))")
        }
        g.legend(&svg, [("50 dB SPL", "#1b9e77", nil, .dot), ("60 dB SPL", "#7570b3", nil, .dot)], atRight: true, atBottom: true)
        panels["gain"] = g

        // Insertion gain, LTASS
        let levelColors = ["#1b9e77", "#d95f02", "#7570b3"]
        let ig = report.insertionGain.flatMap { $0.bands.flatMap { [$0.realisedDB, $0.prescribedDB] } }
        let iHi = ((ig.max() ?? 40) / 10).rounded(.up) * 10 + 5, iLo = min(-5, ((ig.min() ?? 0) / 10).rounded(.down) * 10)
        let ins = PlotPanel(left: columns[2], top: rows[0], width: w, height: h, x: freq(), y: .linear(from: iHi, to: iLo, step: 10, label: "Insertion gain (dB)"),
                            title: "Insertion gain, LTASS noise (third-octaves)")
        ins.drawAxes(&svg)
        var insEntries: [(String, String, String?, MarkerShape?)] = []
        for (i, curve) in report.insertionGain.enumerated() {
            let c = levelColors[i % levelColors.count]
            ins.series(&svg, curve.bands.map { ($0.centerHz, $0.prescribedDB) }, color: c, width: 1.2, dash: "6,3", cssClass: "ig-prescribed-\(Int(curve.speechDBSPL))")
            ins.series(&svg, curve.bands.map { ($0.centerHz, $0.realisedDB) }, color: c, width: 2, marker: .dot, cssClass: "ig-\(Int(curve.speechDBSPL))")
            insEntries.append(("\(Int(curve.speechDBSPL)) dB SPL", c, nil, .dot))
        }
        ins.legend(&svg, insEntries, atRight: true, atBottom: true)
        panels["insertion"] = ins

        // Difference from the prescription
        let tol = report.tolerances.responseDB
        let dMax = max(tol + 1, (report.insertionGain.flatMap { $0.bands.map { abs($0.differenceDB) } }.max() ?? 0).rounded(.up) + 1)
        let d = PlotPanel(left: columns[0], top: rows[1], width: w, height: h, x: freq(),
                          y: .linear(from: dMax, to: -dMax, step: dMax > 8 ? 2 : 1, label: "Realised − prescribed (dB)"),
                          title: "LTASS: difference from prescription")
        d.drawAxes(&svg)
        if let checked = report.insertionGain.first?.bands.filter(\.checked), let a = checked.first, let b = checked.last {
            svg.rect(d.px(a.centerHz / 1.12), d.top, d.px(b.centerHz * 1.12) - d.px(a.centerHz / 1.12), d.height, fill: "#2ca02c", opacity: 0.06)
        }
        for (v, c, dash) in [(tol, "#d62728", "4,3"), (-tol, "#d62728", "4,3"), (1.0, "#999999", "2,3"), (-1.0, "#999999", "2,3")] {
            svg.line(d.left, d.py(v), d.left + d.width, d.py(v), stroke: c, width: 1, dash: dash)
        }
        for (i, curve) in report.insertionGain.enumerated() {
            d.series(&svg, curve.bands.map { ($0.centerHz, $0.differenceDB) }, color: levelColors[i % levelColors.count], width: 1.8, marker: .dot, cssClass: "difference-\(Int(curve.speechDBSPL))")
        }
        d.legend(&svg, [("±\(cFormat("%g", tol)) dB fitting", "#d62728", "4,3", nil), ("±1 dB pod path (65)", "#999999", "2,3", nil)], atRight: true)
        panels["difference"] = d

        // Input/output
        let io = PlotPanel(left: columns[1], top: rows[1], width: w, height: h, x: .linear(from: 40, to: 100, step: 10, label: "Input (dB SPL)"),
                           y: .linear(from: 130, to: 40, step: 10, label: "Output (dB SPL)"), title: "Input/output, tones")
        io.drawAxes(&svg)
        var ioEntries: [(String, String, String?, MarkerShape?)] = []
        for (i, curve) in report.ioCurves.enumerated() {
            let c = palette[i % palette.count]
            io.series(&svg, curve.points.map { ($0.inputDBSPL, $0.prescribedOutputDBSPL) }, color: c, width: 1.2, dash: "6,3", cssClass: "io-prescribed-\(Int(curve.frequencyHz))")
            io.series(&svg, curve.points.map { ($0.inputDBSPL, $0.outputDBSPL) }, color: c, width: 2, marker: .dot, markerSize: 3.5, cssClass: "io-\(Int(curve.frequencyHz))")
            ioEntries.append(("\(Int(curve.frequencyHz)) Hz", c, nil, .dot))
        }
        io.legend(&svg, ioEntries.reversed(), atRight: true, atBottom: true)
        panels["io"] = io

        // Figures and checks
        var y = rows[1] + 4
        let x0 = columns[2]
        svg.text("Timing and distortion", x0, y, size: 13, weight: "bold")
        y += 20
        let ar = report.attackRelease
        let lines = [
            "Latency: \(report.latency.samples) samples (\(cFormat("%.2f", report.latency.milliseconds)) ms)",
            "Group delay: " + report.groupDelay.map { "\(Int($0.frequencyHz)) Hz \(cFormat("%.2f", $0.milliseconds)) ms" }.joined(separator: ", "),
            "Attack \(cFormat("%.1f", ar.attackMilliseconds)) ms (fitted \(cFormat("%.1f", ar.fittedAttackMilliseconds))), release \(cFormat("%.1f", ar.releaseMilliseconds)) ms (fitted \(cFormat("%.1f", ar.fittedReleaseMilliseconds)))",
            "  ANSI S3.22 at \(Int(ar.frequencyHz)) Hz, \(Int(ar.lowDBSPL)) ↔ \(Int(ar.highDBSPL)) dB SPL",
            "THD at 70 dB SPL: " + report.distortion.map { "\(Int($0.frequencyHz)) Hz \(cFormat("%.2f", $0.thdPercent)) %" }.joined(separator: ", "),
        ]
        for line in lines { svg.text(line, x0, y, size: 11); y += 16 }
        // The checks, in two columns under the panels.
        let checksTop = rows[1] + h + 70
        svg.text("Checks", columns[0] - 60, checksTop, size: 13, weight: "bold")
        let perColumn = (report.checks.count + 1) / 2
        for (i, c) in report.checks.enumerated() {
            let cx = columns[0] - 60 + (i < perColumn ? 0 : 620), cy = checksTop + 20 + Double(i % perColumn) * 16
            svg.rect(cx, cy - 10, 34, 13, fill: c.pass ? "#2ca02c" : "#d62728", cssClass: c.pass ? "pass" : "fail")
            svg.text(c.pass ? "PASS" : "FAIL", cx + 17, cy, size: 9, anchor: "middle", weight: "bold", color: "#ffffff")
            let worst = c.unit == "ms" ? c.worstAt : "\(cFormat("%+.2f", c.worst)) \(c.unit) at \(c.worstAt)"
            svg.text("\(c.name) [\(c.kind), \(c.limit)]: \(worst)", cx + 40, cy, size: 10.5)
        }
        return SVGPicture(svg: svg.render(title: title), width: svg.width, height: svg.height, panels: panels)
    }
}
