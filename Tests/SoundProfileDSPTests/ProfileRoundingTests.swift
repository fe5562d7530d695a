import Foundation
import Testing
@testable import SoundProfileDSP

/// A fitted profile's gains and levels are rounded to 0.01 dB (issue 13, item 7): its JSON holds
/// `12.7`, not `12.700000000000003`, and the rounding changes what the profile does by no more
/// than half a step per number.
@Suite struct ProfileRoundingTests {
    /// The profile JSON keys that hold gains or levels in dB.
    static let decibelKeys = ["insertionGainDB", "gain65DB", "kneepointDBSPL", "expansionThresholdDBSPL", "mpoDBSPL"]

    /// The default third-octave fitting, ERB bands with CR 3.3, and each preset's channels.
    static func variants(_ rule: PrescriptionRule) throws -> [FittingOptions] {
        var erb = FittingOptions(rule: rule)
        erb.layout = try BandLayout.erb(count: 12, from: 200, to: 7000)
        erb.compressionRatio = 3.3
        erb.expansionRatio = 0.7
        return [FittingOptions(rule: rule), erb] + ProcessorConfiguration.presets.map { preset in
            var options = FittingOptions(rule: rule)
            options.fitInChannels(of: preset)
            return options
        }
    }

    @Test(arguments: FittingFixtures.allCases)
    func writtenGainsAndLevelsHaveAtMostTwoDecimals(_ name: String, _ rule: PrescriptionRule) throws {
        let audiogram = try FittingFixtures.audiogram(name)
        for options in try Self.variants(rule) {
            let profile = try SoundProfile.fit(audiogram: audiogram, options: options)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let data = try encoder.encode(profile)
            let text = String(decoding: data, as: UTF8.self)
            let numbers = text.matches(of: #/"(\w+)":(-?[0-9][0-9.eE+-]*)/#).filter { Self.decibelKeys.contains(String($0.output.1)) }
            #expect(numbers.count > 50, "\(name) \(rule): found \(numbers.count) dB numbers")
            for match in numbers {
                let literal = String(match.output.2)
                #expect(literal.wholeMatch(of: #/-?[0-9]+(\.[0-9]{1,2})?/#) != nil, "\(name) \(rule) \(options.layout.count) bands: \(match.output.1) = \(literal)")
            }
            // What is written is what was fitted: reading it back gives the same profile.
            #expect(try SoundProfile(json: data) == profile)
        }
    }

    @Test(arguments: FittingFixtures.allCases)
    func roundingMovesEachNumberAndEachCurveByAtMostHalfAStep(_ name: String, _ rule: PrescriptionRule) throws {
        let audiogram = try FittingFixtures.audiogram(name)
        let half = SoundProfile.decibelStep / 2 + 1e-9  // dB
        for options in try Self.variants(rule) {
            let rounded = try SoundProfile.fit(audiogram: audiogram, options: options)
            let exact = try SoundProfile.fit(audiogram: audiogram, options: options, rounded: false)
            for (ear, e) in exact.ears {
                let r = try #require(rounded[ear])
                for (a, b) in zip(r.targets, e.targets) {
                    #expect(a.frequencyHz == b.frequencyHz && abs(a.insertionGainDB - b.insertionGainDB) <= half)
                }
                for (a, b) in zip(r.bands, e.bands) {
                    let at = "\(name) \(rule) \(ear) \(b.centerHz) Hz"
                    for (x, y, field) in [(a.gain65DB, b.gain65DB, "gain65DB"), (a.kneepointDBSPL, b.kneepointDBSPL, "kneepointDBSPL"),
                                          (a.expansionThresholdDBSPL, b.expansionThresholdDBSPL, "expansionThresholdDBSPL"), (a.mpoDBSPL, b.mpoDBSPL, "mpoDBSPL")] {
                        #expect(abs(x - y) <= half, "\(at) \(field): \(x) vs \(y)")
                    }
                    #expect(a.centerHz == b.centerHz && a.lowerHz == b.lowerHz && a.upperHz == b.upperHz && a.compressionRatio == b.compressionRatio
                            && a.expansionRatio == b.expansionRatio && a.attackMilliseconds == b.attackMilliseconds && a.releaseMilliseconds == b.releaseMilliseconds,
                            "\(at): frequencies, ratios and times are not rounded")
                    // The static curves. The prescription itself — the gain at the band's level for
                    // 65 dB SPL speech — and the linear segment move by at most half a step. Where
                    // the gain depends on the input level, a half-step move of the kneepoint (or
                    // expansion threshold) adds at most half a step times the slope: the bound is
                    // half a step × (1 + the largest |slope|), 0.0075 dB at CR 2, 0.01 dB in
                    // expansion at ER 0.5.
                    let ca = try a.curve(), cb = try b.curve()
                    #expect(abs(ca.gainDB(atInputDBSPL: a.level65DBSPL) - cb.gainDB(atInputDBSPL: b.level65DBSPL)) <= half, "\(at): gain for 65 dB speech")
                    #expect(abs(ca.gainAtKneepointDB - cb.gainAtKneepointDB) <= half, "\(at): linear segment")
                    let slope = max(abs(1 / b.compressionRatio - 1), 1 / b.expansionRatio - 1)
                    var worst = 0.0
                    let knees = [a.kneepointDBSPL, b.kneepointDBSPL, a.expansionThresholdDBSPL, b.expansionThresholdDBSPL]
                    for level in Array(stride(from: -20.0, through: 140, by: 0.05)) + knees {
                        worst = max(worst, abs(ca.gainDB(atInputDBSPL: level) - cb.gainDB(atInputDBSPL: level)))
                    }
                    #expect(worst <= half * (1 + slope), "\(at): static curve moves \(worst) dB")
                }
            }
        }
    }

    @Test func roundingIsToTheNearestHundredthWithoutBinaryNoise() {
        #expect(SoundProfile.roundedToStep(12.700000000000003) == 12.7)
        #expect(SoundProfile.roundedToStep(19.645) == 19.65 || SoundProfile.roundedToStep(19.645) == 19.64)  // 19.645 is not exact in binary
        #expect(SoundProfile.roundedToStep(0.125) == 0.13)  // an exact half: away from zero
        #expect(SoundProfile.roundedToStep(-0.001).sign == .plus, "never -0")
        #expect("\(SoundProfile.roundedToStep(1270.0 / 100 + 1e-12))" == "12.7")
    }
}
