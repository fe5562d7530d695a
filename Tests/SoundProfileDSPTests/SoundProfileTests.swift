import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct SoundProfileTests {
    /// Tolerance for every level and gain, in dB (and for frequencies, in Hz).
    static let tolerance = 0.01

    func close(_ a: Double, _ b: Double, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(a - b) < Self.tolerance, "\(what()): \(a) vs \(b)", sourceLocation: sourceLocation)
    }

    @Test(arguments: FittingFixtures.allCases)
    func reproducesTheGoldenProfile(_ name: String, _ rule: PrescriptionRule) throws {
        let golden = try FittingFixtures.goldenProfile(name, rule)
        let fitted = try SoundProfile.fit(audiogram: try FittingFixtures.audiogram(name), options: FittingOptions(rule: rule))
        #expect(fitted.rule == golden.rule && fitted.schemaVersion == 1 && fitted.fullScaleDBSPL == golden.fullScaleDBSPL)
        #expect(Set(fitted.ears.keys) == Set(golden.ears.keys))
        for (ear, g) in golden.ears {
            let f = try #require(fitted[ear])
            #expect(f.targets.count == g.targets.count && f.bands.count == g.bands.count)
            for (a, e) in zip(f.targets, g.targets) {
                close(a.frequencyHz, e.frequencyHz, "\(ear) target Hz")
                close(a.insertionGainDB, e.insertionGainDB, "\(ear) target at \(e.frequencyHz) Hz")
            }
            for (a, e) in zip(f.bands, g.bands) {
                let at = "\(name) \(rule) \(ear) band \(e.centerHz) Hz"
                close(a.centerHz, e.centerHz, at + " centerHz")
                close(a.lowerHz, e.lowerHz, at + " lowerHz")
                close(a.upperHz, e.upperHz, at + " upperHz")
                close(a.gain65DB, e.gain65DB, at + " gain65DB")
                close(a.kneepointDBSPL, e.kneepointDBSPL, at + " kneepointDBSPL")
                close(a.compressionRatio, e.compressionRatio, at + " compressionRatio")
                close(a.expansionThresholdDBSPL, e.expansionThresholdDBSPL, at + " expansionThresholdDBSPL")
                close(a.expansionRatio, e.expansionRatio, at + " expansionRatio")
                close(a.mpoDBSPL, e.mpoDBSPL, at + " mpoDBSPL")
                close(a.attackMilliseconds, e.attackMilliseconds, at + " attackMilliseconds")
                close(a.releaseMilliseconds, e.releaseMilliseconds, at + " releaseMilliseconds")
            }
        }
    }

    @Test(arguments: FittingFixtures.allCases)
    func reproducesTheGoldenGainTable(_ name: String, _ rule: PrescriptionRule) throws {
        let golden = try FittingFixtures.goldenGainTable(name, rule)
        let fitted = try SoundProfile.fit(audiogram: try FittingFixtures.audiogram(name), options: FittingOptions(rule: rule))
        let tables = try fitted.gainTables()
        for (side, rows) in golden.ears {
            let ear = try #require(Ear(rawValue: side))
            let table = try #require(tables[ear])
            #expect(table.levelsDBSPL == golden.levelsDBSPL)
            #expect(table.centerHz.count == golden.centerHz.count && table.gainsDB.count == rows.count)
            for (b, row) in rows.enumerated() {
                for (l, g) in row.enumerated() {
                    close(table.gainDB(band: b, levelIndex: l), g, "\(name) \(rule) \(side) band \(b) at \(golden.levelsDBSPL[l]) dB SPL")
                }
            }
        }
    }

    @Test func n3NALRThe1kHzBandByHand() throws {
        // gain65 = target at 1 kHz = 19.65 dB; L65 = 53.7 − 5 = 48.7; kneepoint = 53.7 − 30 = 23.7 dB SPL;
        // expansion threshold 23.7 − 15 = 8.7; MPO = 100 + 0.2·40 = 108 dB SPL.
        // Gain table: at 30 dB SPL 19.65 − 0.5·(30 − 48.7) = 29.0; at 100 dB SPL 19.65 − 0.5·51.3 = −6.0.
        let profile = try SoundProfile.fit(audiogram: try FittingFixtures.audiogram("N3"))
        let ear = try #require(profile[.right])
        let i = try #require(ear.bands.firstIndex { abs($0.centerHz - 1000) < 1e-9 })
        let b = ear.bands[i]
        close(b.gain65DB, 19.65, "gain65")
        close(b.kneepointDBSPL, 23.7, "kneepoint")
        close(b.expansionThresholdDBSPL, 8.7, "expansion threshold")
        close(b.mpoDBSPL, 108, "MPO")
        let table = try ear.gainTable()
        close(table.gainsDB[i].first!, 29.0, "gain at 30 dB SPL")
        close(table.gainsDB[i].last!, -6.0, "gain at 100 dB SPL")
        #expect(table.gainsDB[i].count == 71)
    }

    @Test func layoutHelperGivesTheFittingBandsWithNominalLabels() throws {
        let profile = try SoundProfile.fit(audiogram: try FittingFixtures.audiogram("N3"))
        let layout = try #require(profile[.left]).layout()
        #expect(layout.bands.map(\.label) == FittingOptions.defaultLayout.bands.map(\.label))
        #expect(layout.bands.first?.label == "125" && layout.bands.last?.label == "8k" && layout.count == 19)
        for (a, b) in zip(layout.bands, FittingOptions.defaultLayout.bands) {
            #expect(abs(a.lowerHz - b.lowerHz) < 1e-9 && abs(a.upperHz - b.upperHz) < 1e-9)
        }
        #expect(try #require(profile[.left]).curves().count == 19)
    }

    @Test func jsonRoundTripIsLosslessAndHasTheDesignKeys() throws {
        let audiogram = try Audiogram(left: [250: 30, 500: 35, 1000: 42.5, 2000: 55, 4000: 70])
        var options = FittingOptions(rule: .nalRP)
        options.layout = try BandLayout.erb(count: 12, from: 200, to: 7000)
        options.compressionRatio = 2.7
        options.fullScaleDBSPL = 105.5
        let profile = try SoundProfile.fit(audiogram: audiogram, options: options)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(profile)
        #expect(try JSONDecoder().decode(SoundProfile.self, from: data) == profile)
        let tree = try FittingFixtures.jsonObject(data)
        #expect(Set(tree.keys) == ["schemaVersion", "rule", "fullScaleDBSPL", "ears"])
        let ears = try #require(tree["ears"] as? [String: Any])
        #expect(Set(ears.keys) == ["left"])
        let left = try #require(ears["left"] as? [String: Any])
        let band = try #require((left["bands"] as? [[String: Any]])?.first)
        #expect(Set(band.keys) == ["centerHz", "lowerHz", "upperHz", "gain65DB", "kneepointDBSPL", "compressionRatio",
                                   "expansionThresholdDBSPL", "expansionRatio", "mpoDBSPL", "attackMilliseconds", "releaseMilliseconds"])
        let target = try #require((left["targets"] as? [[String: Any]])?.first)
        #expect(Set(target.keys) == ["frequencyHz", "insertionGainDB"])
        // The goldens (written by numpy) decode and re-encode to the same numbers.
        let golden = try FittingFixtures.goldenProfile("S2", .pogo)
        #expect(try JSONDecoder().decode(SoundProfile.self, from: encoder.encode(golden)) == golden)
    }

    @Test func optionsAreApplied() throws {
        let audiogram = try FittingFixtures.audiogram("N4")
        var options = FittingOptions(rule: .halfGain)
        options.layout = try BandLayout.octave(from: 250, to: 4000)
        options.compressionRatio = .perBand([1, 1.5, 2, 3, 4])
        options.mpoDBSPL = .perBand([90, 95, 100, 105, 110])
        options.attackMilliseconds = 10
        options.releaseMilliseconds = .perBand([100, 200, 300, 400, 500])
        options.expansionBelowKneepointDB = 10
        options.expansionRatio = 0.8
        let ear = try #require(try SoundProfile.fit(audiogram: audiogram, options: options)[.right])
        #expect(ear.bands.map(\.compressionRatio) == [1, 1.5, 2, 3, 4])
        #expect(ear.bands.map(\.mpoDBSPL) == [90, 95, 100, 105, 110])
        #expect(ear.bands.map(\.attackMilliseconds) == [10, 10, 10, 10, 10])
        #expect(ear.bands.map(\.releaseMilliseconds) == [100, 200, 300, 400, 500])
        for b in ear.bands {
            #expect(abs(b.kneepointDBSPL - b.expansionThresholdDBSPL - 10) < 1e-9 && b.expansionRatio == 0.8)
        }
        // Half-gain of N4 at 1 kHz (55 dB HL) is 27.5 dB.
        close(ear.bands[2].gain65DB, 27.5, "gain65 at 1 kHz")
    }

    @Test func invalidOptionsNameTheField() throws {
        let audiogram = try FittingFixtures.audiogram("N3")
        func error(_ change: (inout FittingOptions) throws -> Void) throws -> FittingError? {
            var options = FittingOptions()
            try change(&options)
            do {
                _ = try SoundProfile.fit(audiogram: audiogram, options: options)
                Issue.record("accepted")
            } catch let e as FittingError { return e }
            return nil
        }
        #expect(try error { $0.compressionRatio = 11 } == .outOfRange(field: "compressionRatio", value: 11, allowed: "1…10"))
        #expect(try error { $0.compressionRatio = 0.5 }?.description == "compressionRatio 0.5 is not allowed: it must be 1…10")
        #expect(try error { $0.compressionRatio = .perBand([2, 3]) } == .wrongCount(field: "compressionRatio", count: 2, expected: 19))
        #expect(try error { $0.compressionRatio = .perBand(Array(repeating: 2, count: 18) + [12]) }
                == .outOfRange(field: "compressionRatio[18]", value: 12, allowed: "1…10"))
        #expect(try error { $0.fullScaleDBSPL = 250 } == .outOfRange(field: "fullScaleDBSPL", value: 250, allowed: "0…200 dB SPL"))
        #expect(try error { $0.expansionRatio = 0 } == .outOfRange(field: "expansionRatio", value: 0, allowed: "> 0 and ≤ 1"))
        #expect(try error { $0.expansionRatio = 1.5 } == .outOfRange(field: "expansionRatio", value: 1.5, allowed: "> 0 and ≤ 1"))
        #expect(try error { $0.expansionBelowKneepointDB = -1 }
                == .outOfRange(field: "expansionBelowKneepointDB", value: -1, allowed: "0…60 dB"))
        #expect(try error { $0.mpoDBSPL = 30 } == .outOfRange(field: "mpoDBSPL", value: 30, allowed: "40…150 dB SPL"))
        #expect(try error { $0.attackMilliseconds = 0 } == .outOfRange(field: "attackMilliseconds", value: 0, allowed: "> 0 and ≤ 10000 ms"))
        #expect(try error { $0.releaseMilliseconds = -5 } == .outOfRange(field: "releaseMilliseconds", value: -5, allowed: "> 0 and ≤ 10000 ms"))
        #expect(try error { $0.releaseMilliseconds = .perBand([1]) } == .wrongCount(field: "releaseMilliseconds", count: 1, expected: 19))
    }

    /// Decodes the N3 NAL-R golden after `edit` changed its JSON tree; returns the error.
    func decodingError(_ edit: (inout [String: Any]) -> Void) throws -> FittingError? {
        var tree = try FittingFixtures.jsonObject(FittingFixtures.data("fitting/golden/N3-nal-r.json"))
        edit(&tree)
        do {
            _ = try JSONDecoder().decode(SoundProfile.self, from: JSONSerialization.data(withJSONObject: tree))
            Issue.record("accepted")
        } catch let e as FittingError { return e }
        return nil
    }

    /// Sets `ears.right.bands[3][key]` (or `targets`) in a profile tree.
    func set(_ tree: inout [String: Any], ear: String = "right", list: String = "bands", index: Int = 3, _ key: String, _ value: Any) {
        var ears = tree["ears"] as! [String: Any]
        var e = ears[ear] as! [String: Any]
        var items = e[list] as! [[String: Any]]
        items[index][key] = value
        e[list] = items
        ears[ear] = e
        tree["ears"] = ears
    }

    @Test func decodingValidatesEveryBandField() throws {
        let p = "ears.right.bands[3]"
        #expect(try decodingError { set(&$0, "compressionRatio", 12) } == .outOfRange(field: "\(p).compressionRatio", value: 12, allowed: "1…10"))
        #expect(try decodingError { set(&$0, "compressionRatio", 0.9) }?.description
                == "ears.right.bands[3].compressionRatio 0.9 is not allowed: it must be 1…10")
        #expect(try decodingError { set(&$0, "expansionRatio", 0) } == .outOfRange(field: "\(p).expansionRatio", value: 0, allowed: "> 0 and ≤ 1"))
        #expect(try decodingError { set(&$0, "expansionRatio", 2) } == .outOfRange(field: "\(p).expansionRatio", value: 2, allowed: "> 0 and ≤ 1"))
        #expect(try decodingError { set(&$0, ear: "left", "attackMilliseconds", 0) }
                == .outOfRange(field: "ears.left.bands[3].attackMilliseconds", value: 0, allowed: "> 0 and ≤ 10000 ms"))
        #expect(try decodingError { set(&$0, "releaseMilliseconds", -50) }
                == .outOfRange(field: "\(p).releaseMilliseconds", value: -50, allowed: "> 0 and ≤ 10000 ms"))
        #expect(try decodingError { set(&$0, "mpoDBSPL", 170) } == .outOfRange(field: "\(p).mpoDBSPL", value: 170, allowed: "40…150 dB SPL"))
        #expect(try decodingError { set(&$0, "gain65DB", 120) } == .outOfRange(field: "\(p).gain65DB", value: 120, allowed: "-60…100 dB"))
        #expect(try decodingError { set(&$0, "kneepointDBSPL", 150) } == .outOfRange(field: "\(p).kneepointDBSPL", value: 150, allowed: "-100…140 dB SPL"))
        #expect(try decodingError { set(&$0, "expansionThresholdDBSPL", 60) }
                == .inconsistent(field: "\(p).expansionThresholdDBSPL", value: 60, reason: "it must be at most kneepointDBSPL (30.3 dB SPL)"))
        #expect(try decodingError { set(&$0, "lowerHz", -1) } == .outOfRange(field: "\(p).lowerHz", value: -1, allowed: "≥ 0 Hz"))
        #expect(try decodingError { set(&$0, "upperHz", 100) }?.description.hasPrefix("\(p).upperHz 100 is not allowed: it must be above lowerHz") == true)
        #expect(try decodingError { set(&$0, "centerHz", 5000) }?.description.hasPrefix("\(p).centerHz 5000 is not allowed: it must lie within") == true)
        #expect(try decodingError { set(&$0, "lowerHz", 220) }?.description.hasPrefix("\(p).lowerHz 220 is not allowed: bands must be contiguous") == true)
    }

    @Test func decodingValidatesTheDocument() throws {
        #expect(try decodingError { $0["schemaVersion"] = 2 } == .outOfRange(field: "schemaVersion", value: 2, allowed: "1"))
        #expect(try decodingError { $0["fullScaleDBSPL"] = 300 } == .outOfRange(field: "fullScaleDBSPL", value: 300, allowed: "0…200 dB SPL"))
        #expect(try decodingError { $0["rule"] = "" } == .empty(field: "rule"))
        #expect(try decodingError { $0["ears"] = [String: Any]() } == .noEars)
        #expect(try decodingError { set(&$0, list: "targets", index: 2, "insertionGainDB", -3) }
                == .outOfRange(field: "ears.right.targets[2].insertionGainDB", value: -3, allowed: "0…100 dB"))
        #expect(try decodingError { set(&$0, list: "targets", index: 2, "frequencyHz", 400) }?.description
                == "ears.right.targets[2].frequencyHz 400 is not allowed: targets must increase in frequency (previous is 500 Hz)")
        #expect(try decodingError { set(&$0, list: "targets", index: 0, "frequencyHz", 50) }
                == .outOfRange(field: "ears.right.targets[0].frequencyHz", value: 50, allowed: "125…8000 Hz"))
    }
}
