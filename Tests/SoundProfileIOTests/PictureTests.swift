import Foundation
import Testing
import SoundProfileDSP
@testable import SoundProfileIO

/// The pictures read back as XML: well-formed, self-contained, and every data point where the
/// axis transform says it must be (to 0.01 px, the precision the SVG is written with).
@Suite struct PictureTests {
    static let pixel = 0.011

    static func n3() throws -> Audiogram {
        try JSONDecoder().decode(Audiogram.self, from: Data(contentsOf: URL(fileURLWithPath: fixture("audiograms/N3.json"))))
    }

    /// Nothing external: no script, no image, no link, no style sheet, no font file.
    static func expectSelfContained(_ svg: String, _ inspection: SVGInspection) {
        #expect(inspection.wellFormed, "not well-formed XML: \(String(describing: inspection.error))")
        #expect(inspection.elements.first?.name == "svg")
        for forbidden in ["script", "image", "foreignObject", "style", "a", "use", "font", "font-face"] {
            #expect(!inspection.elements.contains { $0.name == forbidden }, "<\(forbidden)> in a self-contained picture")
        }
        #expect(!svg.contains("href") && !svg.contains("url(") && !svg.contains("@import"))
    }

    @Test func audiogramFollowsTheClinicalConvention() throws {
        let audiogram = try Audiogram(right: [250: 20, 500: 30, 1000: 40, 2000: 55, 4000: 70, 8000: 80],
                                      left: [250: 10, 500: 15, 1000: 35, 2000: 50, 4000: 60, 8000: 65])
        let picture = Pictures.audiogram(audiogram)
        let svg = SVGInspection(picture.svg)
        Self.expectSelfContained(picture.svg, svg)
        #expect(svg.elements[0].number("width") == 600 && svg.elements[0].number("height") == 620)
        let panel = try #require(picture.panels["audiogram"])
        // Log frequency: each octave the same width; dB HL grows downward.
        #expect(abs((panel.px(1000) - panel.px(500)) - (panel.px(4000) - panel.px(2000))) < 1e-9)
        #expect(panel.px(125) == panel.left && abs(panel.px(8000) - (panel.left + panel.width)) < 1e-9)
        // One octave as long as 20 dB (ANSI S3.21).
        #expect(abs((panel.px(2000) - panel.px(1000)) - (panel.py(40) - panel.py(20))) < 1e-9)
        #expect(panel.py(-10) == panel.top && panel.py(120) == panel.top + panel.height && panel.py(40) > panel.py(20))
        // Right ear: red open circles exactly at (f, dB HL).
        let circles = svg.withClass("right-ear").filter { $0.name == "circle" }
        #expect(circles.count == 6)
        for (circle, (f, level)) in zip(circles, [(250.0, 20.0), (500, 30), (1000, 40), (2000, 55), (4000, 70), (8000, 80)]) {
            #expect(abs(circle.number("cx")! - panel.px(f)) <= Self.pixel && abs(circle.number("cy")! - panel.py(level)) <= Self.pixel, "\(f) Hz")
            #expect(circle.attributes["stroke"] == Pictures.rightColor && circle.attributes["fill"] == "#ffffff")
        }
        // Left ear: blue crosses centred at (f, dB HL); the joining line passes through them.
        let crosses = svg.withClass("left-ear").filter { $0.name == "path" }
        #expect(crosses.count == 6)
        let line = svg.polylinePoints("left-ear-line")
        #expect(line.count == 6)
        for (i, (f, level)) in [(250.0, 10.0), (500, 15), (1000, 35), (2000, 50), (4000, 60), (8000, 65)].enumerated() {
            #expect(abs(crosses[i].number("data-x")! - panel.px(f)) <= Self.pixel && abs(crosses[i].number("data-y")! - panel.py(level)) <= Self.pixel)
            #expect(crosses[i].attributes["stroke"] == Pictures.leftColor)
            #expect(abs(line[i].0 - panel.px(f)) <= Self.pixel && abs(line[i].1 - panel.py(level)) <= Self.pixel)
        }
        // Axis labels carry their units.
        #expect(svg.texts.contains("Frequency (Hz)") && svg.texts.contains("Hearing level (dB HL)"))
    }

    @Test func aMissingEarIsLeftOut() throws {
        let picture = Pictures.audiogram(try Audiogram(left: [500: 20, 1000: 30, 2000: 40]))
        let svg = SVGInspection(picture.svg)
        #expect(svg.withClass("right-ear").isEmpty && svg.withClass("left-ear").count == 3)
    }

    @Test func textIsEscaped() {
        let picture = Pictures.audiogram(try! Audiogram(right: [500: 20, 1000: 30, 2000: 40]), title: "A & B <\"x\">")
        let svg = SVGInspection(picture.svg)
        #expect(svg.wellFormed)
        #expect(svg.texts.contains("A & B <\"x\">"))
    }

    @Test func profileShowsTargetsAndChannelCurves() throws {
        var options = FittingOptions(rule: .nalR)
        options.fitInChannels(of: .pod16k)
        let profile = try SoundProfile.fit(audiogram: Self.n3(), options: options)
        let realised = VerificationReport.InsertionGainCurve(speechDBSPL: 65, bands: [
            .init(centerHz: 1000, label: "1k", realisedDB: 12.5, prescribedDB: 12, differenceDB: 0.5, channelLevelDBSPL: 50, checked: true),
            .init(centerHz: 2000, label: "2k", realisedDB: 20, prescribedDB: 20, differenceDB: 0, channelLevelDBSPL: 45, checked: true),
        ])
        let picture = try Pictures.profile(profile, realised: [.right: [realised]])
        let svg = SVGInspection(picture.svg)
        Self.expectSelfContained(picture.svg, svg)
        #expect(picture.width == 1100 && picture.height == 50 + 2 * 440)
        let gain = try #require(picture.panels["gain right"]), io = try #require(picture.panels["io left"])
        let targets = svg.withClass("target-right").filter { $0.name == "circle" }
        #expect(targets.count == profile[.right]!.targets.count)
        for (circle, t) in zip(targets, profile[.right]!.targets) {
            #expect(abs(circle.number("cx")! - gain.px(t.frequencyHz)) <= Self.pixel && abs(circle.number("cy")! - gain.py(t.insertionGainDB)) <= Self.pixel)
        }
        let dots = svg.withClass("realised-right-65")
        #expect(dots.count == 2 && abs(dots[0].number("cy")! - gain.py(12.5)) <= Self.pixel)
        // Channel 0's I/O curve: one vertex per dB of input, output = the WDRC curve.
        let curve = try profile[.left]!.bands[0].curve()
        let line = svg.polylinePoints("io-left-0-line")
        #expect(line.count == 81)
        for (i, input) in stride(from: 30.0, through: 110, by: 1).enumerated() where i % 10 == 0 {
            let expected = io.point(input, curve.outputDBSPL(atInputDBSPL: input))
            #expect(abs(line[i].0 - expected.0) <= Self.pixel && abs(line[i].1 - expected.1) <= Self.pixel, "input \(input) dB SPL")
        }
        #expect(profile[.left]!.bands.indices.allSatisfy { !svg.polylinePoints("io-left-\($0)-line").isEmpty })
    }

    static let analysisJSON = """
    [{"schemaVersion":1,"file":"a.wav","sampleRate":48000,"channelCount":1,"durationSeconds":2,"fftSize":4096,"hop":2048,"fullScaleDBSPL":100,
      "channels":[{"channel":0,"overallLeqDB":70.2,"bands":[
        {"centerHz":250,"lowerHz":177,"upperHz":354,"leqDB":60,"l10DB":64,"l50DB":59,"l90DB":52,"minDB":40,"maxDB":70},
        {"centerHz":500,"lowerHz":354,"upperHz":707,"leqDB":65,"l10DB":68,"l50DB":64,"l90DB":58,"minDB":40,"maxDB":72},
        {"centerHz":1000,"lowerHz":707,"upperHz":1414,"leqDB":62,"l10DB":66,"l50DB":61,"l90DB":55,"minDB":40,"maxDB":71}]}]},
     {"file":"broken.wav","error":"cannot read"}]
    """

    @Test func analysisShowsLeqAndTheL10ToL90Band() throws {
        let picture = try Pictures.analysis(Data(Self.analysisJSON.utf8))
        let svg = SVGInspection(picture.svg)
        Self.expectSelfContained(picture.svg, svg)
        let panel = try #require(picture.panels["a.wav channel 0"])
        #expect(picture.panels.count == 1)  // the failed file is skipped
        let dots = svg.withClass("leq")
        #expect(dots.count == 3)
        for (dot, (f, leq)) in zip(dots, [(250.0, 60.0), (500, 65), (1000, 62)]) {
            #expect(abs(dot.number("cx")! - panel.px(f)) <= Self.pixel && abs(dot.number("cy")! - panel.py(leq)) <= Self.pixel)
        }
        let polygon = try #require(svg.withClass("l10-l90").first?.attributes["points"])
        let points = polygon.split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
        #expect(points.count == 6)
        #expect(abs(points[0][1] - panel.py(64)) <= Self.pixel && abs(points[3][1] - panel.py(55)) <= Self.pixel)  // L10 at 250 Hz, L90 at 1 kHz
        // The same result as JSON lines.
        let lines = Self.analysisJSON.replacingOccurrences(of: "\n", with: "").dropFirst().dropLast()
            .replacingOccurrences(of: "]}]}, ", with: "]}]}\n").replacingOccurrences(of: "]}]},", with: "]}]}\n")
        let fromLines = try Pictures.analysis(Data(lines.utf8))
        #expect(fromLines.panels.keys.sorted() == ["a.wav channel 0"])
    }

    @Test func anythingElseIsRejectedByName() {
        #expect(throws: PictureError.self) { try Pictures.analysis(Data("{\"hello\": 1}".utf8)) }
        #expect(throws: PictureError.self) { try Pictures.analysis(Data("not json".utf8)) }
    }

    @Test func verificationSheetPlotsTheReportsNumbers() async throws {
        let report = try await VerificationTests.report()
        let picture = Pictures.verification(report)
        let svg = SVGInspection(picture.svg)
        Self.expectSelfContained(picture.svg, svg)
        #expect(picture.width == 1320 && picture.height == 900)
        let ospl = try #require(picture.panels["ospl90"]), insertion = try #require(picture.panels["insertion"]), io = try #require(picture.panels["io"])
        let dots = svg.withClass("ospl90")
        #expect(dots.count == report.ospl90.points.count)
        for (dot, p) in zip(dots, report.ospl90.points) {
            #expect(abs(dot.number("cx")! - ospl.px(p.frequencyHz)) <= Self.pixel && abs(dot.number("cy")! - ospl.py(p.totalOutputDBSPL)) <= Self.pixel)
        }
        for curve in report.insertionGain {
            let dots = svg.withClass("ig-\(Int(curve.speechDBSPL))")
            #expect(dots.count == curve.bands.count)
            for (dot, b) in zip(dots, curve.bands) {
                #expect(abs(dot.number("cx")! - insertion.px(b.centerHz)) <= Self.pixel && abs(dot.number("cy")! - insertion.py(b.realisedDB)) <= Self.pixel)
            }
            #expect(svg.polylinePoints("ig-prescribed-\(Int(curve.speechDBSPL))-line").count == curve.bands.count)
        }
        let at1k = try #require(report.ioCurves.first { $0.frequencyHz == 1000 })
        let ioDots = svg.withClass("io-1000")
        #expect(ioDots.count == 13)
        for (dot, p) in zip(ioDots, at1k.points) {
            let q = io.point(p.inputDBSPL, p.outputDBSPL)
            #expect(abs(dot.number("cx")! - q.0) <= Self.pixel && abs(dot.number("cy")! - q.1) <= Self.pixel)
        }
        // One PASS/FAIL badge per check, and the texts name every check.
        #expect(svg.withClass("pass").count + svg.withClass("fail").count == report.checks.count)
        #expect(svg.texts.contains("Output (dB SPL)") && svg.texts.contains("Insertion gain (dB)") && svg.texts.contains("Input (dB SPL)"))
    }
}
