public import SoundProfileDSP
#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The pictures of the project, drawn as self-contained SVG: the audiogram, the fitted profile,
/// an analysis result and the test-box verification sheet. Colours follow the clinical
/// convention: right ear red (#d62728), left ear blue (#1f4fd6).
public enum Pictures {
    /// The right ear's colour.
    public static let rightColor = "#d62728"
    /// The left ear's colour.
    public static let leftColor = "#1f4fd6"
    /// A palette for several curves.
    public static let palette = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666",
                                 "#1f78b4", "#b2df8a", "#fb9a99", "#cab2d6", "#ff7f00", "#6a3d9a", "#b15928", "#33a02c"]

    static func color(_ ear: Ear) -> String { ear == .right ? rightColor : leftColor }

    // MARK: Audiogram

    /// The audiogram in the clinical convention: frequency on a log axis 125–8000 Hz, hearing
    /// level in dB HL increasing downward (−10 at the top, 120 at the bottom), the right ear as red
    /// circles (O), the left as blue crosses (X), each ear's points joined by a line. One octave is as
    /// long as 20 dB (80 px), the aspect ANSI S3.21 recommends. 600 × 620 px.
    /// - Parameters:
    ///   - audiogram: The audiogram.
    ///   - title: The title (e.g. the file name).
    /// - Returns: The picture; its panel is named "audiogram".
    public static func audiogram(_ audiogram: Audiogram, title: String = "Audiogram") -> SVGPicture {
        var svg = SVGDocument(width: 600, height: 620)
        let panel = PlotPanel(left: 80, top: 50, width: 480, height: 520, x: .frequency(from: 125, to: 8000),
                              y: .linear(from: -10, to: 120, step: 10, label: "Hearing level (dB HL)"), title: title)
        panel.drawAxes(&svg)
        svg.rect(panel.left, panel.py(-10), panel.width, panel.py(25) - panel.py(-10), fill: "#2ca02c", opacity: 0.06)
        var entries: [(String, String, String?, MarkerShape?)] = []
        for ear in Ear.allCases {
            guard let t = audiogram[ear] else { continue }
            let points = zip(t.frequenciesHz, t.levelsDBHL).map { ($0, $1) }
            panel.series(&svg, points, color: color(ear), width: 1.5, marker: ear == .right ? .circle : .cross, markerSize: 6, cssClass: "\(ear)-ear")
            entries.append((ear == .right ? "Right ear (O)" : "Left ear (X)", color(ear), nil, ear == .right ? .circle : .cross))
        }
        panel.legend(&svg, entries, atRight: true)
        svg.text("Normal hearing ≤ 25 dB HL (shaded)", panel.left + 6, panel.top + panel.height - 8, size: 10, color: "#2c7a2c")
        return SVGPicture(svg: svg.render(title: title), width: svg.width, height: svg.height, panels: ["audiogram": panel])
    }

    // MARK: Profile

    /// The fitted profile per ear: the targets (insertion gain for 65 dB SPL speech) and, when
    /// given, the realised insertion gain measured in the test box; beside it each channel's
    /// static input/output curve (band input 30–110 dB SPL → output dB SPL). 1100 px wide, 440 px
    /// per ear.
    /// - Parameters:
    ///   - profile: The profile.
    ///   - realised: Per ear, LTASS insertion-gain curves measured by ``TestBox`` (optional).
    ///   - title: The title.
    /// - Returns: The picture; panels "gain right", "io right", "gain left", "io left" for the ears present.
    /// - Throws: ``FittingError`` when a band's curve is invalid.
    public static func profile(_ profile: SoundProfile, realised: [Ear: [VerificationReport.InsertionGainCurve]] = [:], title: String = "Sound profile") throws -> SVGPicture {
        let ears = Ear.allCases.filter { profile[$0] != nil }
        let rowHeight = 440.0
        var svg = SVGDocument(width: 1100, height: 50 + rowHeight * Double(ears.count))
        svg.text(title + " — rule \(profile.rule)" + (profile.preset.map { ", channels of \($0)" } ?? "") + ", full scale \(n(profile.fullScaleDBSPL)) dB SPL",
                 20, 26, size: 15, weight: "bold")
        var panels: [String: PlotPanel] = [:]
        for (row, ear) in ears.enumerated() {
            let e = profile[ear]!
            let top = 80 + rowHeight * Double(row)
            let gains = e.targets.map(\.insertionGainDB) + e.bands.map(\.gain65DB) + realised[ear, default: []].flatMap { $0.bands.map(\.realisedDB) }
            let hi = ((gains.max() ?? 40) / 10).rounded(.up) * 10 + 10, lo = min(0, ((gains.min() ?? 0) / 10).rounded(.down) * 10)
            let gainPanel = PlotPanel(left: 80, top: top, width: 460, height: 320, x: .frequency(from: 125, to: 8000),
                                      y: .linear(from: hi, to: lo, step: 10, label: "Insertion gain (dB)"),
                                      title: "\(ear.rawValue.capitalized) ear: targets and realised gain")
            gainPanel.drawAxes(&svg)
            gainPanel.series(&svg, e.targets.map { ($0.frequencyHz, $0.insertionGainDB) }, color: color(ear), width: 2, marker: ear == .right ? .circle : .cross, cssClass: "target-\(ear)")
            var entries: [(String, String, String?, MarkerShape?)] = [("Target (65 dB SPL speech)", color(ear), nil, ear == .right ? .circle : .cross)]
            for (i, curve) in realised[ear, default: []].enumerated() {
                let c = palette[i % palette.count]
                gainPanel.series(&svg, curve.bands.map { ($0.centerHz, $0.realisedDB) }, color: c, width: 1.5, dash: "5,3", marker: .dot, cssClass: "realised-\(ear)-\(Int(curve.speechDBSPL))")
                entries.append(("Realised, LTASS \(Int(curve.speechDBSPL)) dB SPL", c, "5,3", .dot))
            }
            gainPanel.legend(&svg, entries)
            panels["gain \(ear)"] = gainPanel

            let ioPanel = PlotPanel(left: 640, top: top, width: 420, height: 320, x: .linear(from: 30, to: 110, step: 10, label: "Input band level (dB SPL)"),
                                    y: .linear(from: 130, to: 20, step: 10, label: "Output band level (dB SPL)"),
                                    title: "\(ear.rawValue.capitalized) ear: input/output per channel")
            ioPanel.drawAxes(&svg)
            svg.line(ioPanel.px(30), ioPanel.py(30), ioPanel.px(110), ioPanel.py(110), stroke: "#999999", dash: "2,3")
            var ioEntries: [(String, String, String?, MarkerShape?)] = []
            for (i, band) in e.bands.enumerated() {
                let curve = try band.curve()
                let c = palette[i % palette.count]
                ioPanel.series(&svg, stride(from: 30.0, through: 110, by: 1).map { ($0, curve.outputDBSPL(atInputDBSPL: $0)) }, color: c, width: 1.3, cssClass: "io-\(ear)-\(i)")
                ioEntries.append((band.centerHz >= 1000 ? cFormat("%.1f kHz", band.centerHz / 1000) : "\(Int(band.centerHz.rounded())) Hz", c, nil, nil))
            }
            if ioEntries.count <= 16 {
                let half = (ioEntries.count + 1) / 2
                ioPanel.legend(&svg, Array(ioEntries.prefix(half)))
                if ioEntries.count > half {
                    var right = ioPanel
                    right.top += 0
                    right.legend(&svg, Array(ioEntries.suffix(from: half)), atRight: true)
                }
            }
            svg.text("Dotted: output = input; one WDRC curve per fitted band (kneepoint, ratio, expansion, MPO).", 640, top + 372, size: 11, color: "#555555")
            panels["io \(ear)"] = ioPanel
        }
        return SVGPicture(svg: svg.render(title: title), width: svg.width, height: svg.height, panels: panels)
    }

    // MARK: Analysis

    /// An analysis result (`soundprofile analyze --format json` or `jsonl`): per file and channel,
    /// the Leq per band as a line with dots and the L10–L90 range as a shaded band, on a log
    /// frequency axis, levels in dB SPL. 900 px wide, 380 px per channel (at most 12 panels).
    /// - Parameters:
    ///   - data: The analysis JSON: one object, an array of objects, or JSON lines.
    ///   - title: The title.
    /// - Returns: The picture; panels "<file> channel <n>".
    /// - Throws: ``PictureError`` when the data holds no analysed channel.
    public static func analysis(_ data: Data, title: String = "Analysis") throws -> SVGPicture {
        let records = try decodeAnalysis(data)
        let channels = records.flatMap { r in r.channels.map { (r, $0) } }.prefix(12)
        guard !channels.isEmpty else {
            throw PictureError(message: "no analysed channel in the data: it must be the output of `soundprofile analyze --format json` or `--format jsonl`")
        }
        let rowHeight = 380.0
        var svg = SVGDocument(width: 900, height: 40 + rowHeight * Double(channels.count))
        var panels: [String: PlotPanel] = [:]
        for (row, (record, channel)) in channels.enumerated() {
            let bands = channel.bands.filter { $0.centerHz > 0 }
            let levels = bands.flatMap { [$0.l10DB, $0.l90DB, $0.leqDB] }.filter(\.isFinite)
            let hi = ((levels.max() ?? 80) / 10).rounded(.up) * 10 + 10, lo = max(((levels.min() ?? 0) / 10).rounded(.down) * 10 - 10, hi - 120)
            let fLo = min(125, bands.first?.lowerHz ?? 125), fHi = max(8000, bands.last?.upperHz ?? 8000)
            var x = PlotAxis.frequency(from: max(20, fLo), to: min(24000, fHi))
            x.ticks = [31.5, 63, 125, 250, 500, 1000, 2000, 4000, 8000, 16000].filter { $0 >= x.from && $0 <= x.to }.map { ($0, $0 >= 1000 ? "\(Int($0 / 1000))k" : cFormat("%g", $0)) }
            let name = "\(record.file) channel \(channel.channel)"
            let panel = PlotPanel(left: 80, top: 70 + rowHeight * Double(row), width: 780, height: 280, x: x,
                                  y: .linear(from: hi, to: lo, step: 10, label: "Band level (dB SPL)"),
                                  title: "\(record.file) — channel \(channel.channel): overall Leq \(cFormat("%.1f", channel.overallLeqDB)) dB SPL")
            panel.drawAxes(&svg)
            let upper = bands.map { panel.point($0.centerHz, $0.l10DB) }, lower = bands.reversed().map { panel.point($0.centerHz, $0.l90DB) }
            svg.polygon(upper + lower, fill: "#1f77b4", opacity: 0.22, cssClass: "l10-l90")
            panel.series(&svg, bands.map { ($0.centerHz, $0.leqDB) }, color: "#1f4fd6", width: 2, marker: .dot, markerSize: 4, cssClass: "leq")
            panel.legend(&svg, [("Leq", "#1f4fd6", nil, .dot), ("L10–L90 (shaded)", "#8fb8e0", nil, nil)], atRight: true)
            panels[name] = panel
        }
        svg.text(title, 20, 26, size: 15, weight: "bold")
        return SVGPicture(svg: svg.render(title: title), width: svg.width, height: svg.height, panels: panels)
    }

    struct AnalysisRecord: Decodable {
        var file: String
        var channels: [Channel]
        struct Channel: Decodable {
            var channel: Int
            var overallLeqDB: Double
            var bands: [BandStats]
        }
        struct BandStats: Decodable {
            var centerHz: Double, lowerHz: Double, upperHz: Double, leqDB: Double, l10DB: Double, l90DB: Double
        }
    }

    /// Analysis records from JSON (object, array) or JSON lines; failed files (`{"file", "error"}`) are skipped.
    static func decodeAnalysis(_ data: Data) throws -> [AnalysisRecord] {
        struct Maybe: Decodable {
            var record: AnalysisRecord?
            init(from decoder: any Decoder) throws { record = try? AnalysisRecord(from: decoder) }
        }
        let decoder = JSONDecoder()
        if let many = try? decoder.decode([Maybe].self, from: data) { return many.compactMap(\.record) }
        if let one = try? decoder.decode(AnalysisRecord.self, from: data) { return [one] }
        var records: [AnalysisRecord] = []
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            guard let value = try? decoder.decode(Maybe.self, from: Data(line)) else {
                throw PictureError(message: "not an analysis result: expected the JSON of `soundprofile analyze --format json` (an object or an array) or `--format jsonl`")
            }
            if let r = value.record { records.append(r) }
        }
        return records
    }
}
