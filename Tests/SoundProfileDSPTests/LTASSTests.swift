import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct LTASSTests {
    func powerSum(_ levels: [Double]) -> Double { 10 * log10(levels.reduce(0) { $0 + pow(10, $1 / 10) }) }

    @Test func thirdOctaveSplitReproducesTheTable() throws {
        let layout = try BandLayout.thirdOctave(from: 63, to: 16000)
        #expect(layout.count == 25)
        let levels = LTASS.bandLevelsDBSPL(in: layout, speechDBSPL: 70)
        for (l, t) in zip(levels, LTASS.thirdOctaveLevelsDBSPL) { #expect(abs(l - t) < 1e-6) }
        // At 65 dB speech everything is 5 dB lower: the 1 kHz band is 53.7 − 5 = 48.7 dB SPL.
        let oneK = layout.bands[12]
        #expect(abs(LTASS.bandLevelDBSPL(lowerHz: oneK.lowerHz, upperHz: oneK.upperHz, speechDBSPL: 65) - 48.7) < 1e-6)
    }

    @Test func octaveSplitSumsTheIntensitiesOfItsThreeThirdOctaves() throws {
        // Octave band x spans third-octave bands 3x−1, 3x, 3x+1 exactly (IEC base-10 edges coincide).
        let layout = try BandLayout.octave(from: 125, to: 8000)
        let levels = LTASS.bandLevelsDBSPL(in: layout, speechDBSPL: 70)
        for (i, level) in levels.enumerated() {
            let x = 3 * (i - 3)  // 125 Hz is octave −3 → third-octave −9
            let parts = (x - 1...x + 1).map { LTASS.thirdOctaveLevelsDBSPL[$0 + 12] }
            #expect(abs(level - powerSum(parts)) < 1e-6, "octave \(layout.bands[i].label)")
        }
        // By hand, 1k octave = the 800 Hz, 1 kHz and 1.25 kHz table bands (56.8, 53.7, 53.0 dB SPL):
        // 10·log10(10^5.68 + 10^5.37 + 10^5.30) = 10·log10(912 579) = 59.60 dB SPL.
        #expect(abs(levels[3] - 59.60) < 0.01)
    }

    @Test func bandsCovering63HzTo16kHzTotalTheOverallLevel() throws {
        for s in [40.0, 65, 70] {
            let total = powerSum(LTASS.bandLevelsDBSPL(in: try BandLayout.thirdOctave(from: 63, to: 16000), speechDBSPL: s))
            // The table's own power sum is 70.03 dB at 70 dB overall.
            #expect(abs(total - s) < 0.05)
            // Any other split of the same span (7 log-spaced bands, partial overlaps) sums to the same.
            let span = try BandLayout.thirdOctave(from: 63, to: 16000).bands
            let other = try BandLayout.logSpaced(count: 7, from: span[0].lowerHz, to: span[24].upperHz)
            #expect(abs(powerSum(LTASS.bandLevelsDBSPL(in: other, speechDBSPL: s)) - total) < 1e-6)
        }
    }

    struct Golden: Decodable {
        struct Case: Decodable { var lowerHz: Double; var upperHz: Double; var levelsDBSPL: [Double] }
        var speechDBSPL: [Double]
        var layouts: [String: [Case]]
    }

    @Test func goldenLayoutsIncludingPartialOverlapsAndTails() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: FittingFixtures.data("fitting/golden/ltass-bands.json"))
        #expect(golden.layouts.count == 4)
        for (name, cases) in golden.layouts {
            for c in cases {
                for (s, expected) in zip(golden.speechDBSPL, c.levelsDBSPL) {
                    let level = LTASS.bandLevelDBSPL(lowerHz: c.lowerHz, upperHz: c.upperHz, speechDBSPL: s)
                    #expect(abs(level - expected) < 0.01, "\(name) \(c.lowerHz)–\(c.upperHz) Hz at \(s) dB")
                }
            }
        }
    }
}
