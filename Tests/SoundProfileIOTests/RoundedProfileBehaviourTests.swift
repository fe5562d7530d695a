import Foundation
import Testing
@testable import SoundProfileDSP
import SoundProfileIO

/// The 0.01 dB rounding of a fitted profile (issue 13, item 7), measured where it matters: the
/// real processor's insertion gain for LTASS-shaped noise, rounded profile against unrounded.
@Suite struct RoundedProfileBehaviourTests {
    @Test(arguments: ["pod16k", "pod24k", "studio48k"])
    func realisedInsertionGainMovesByAtMostHalfAStep(_ preset: String) async throws {
        let configuration = try #require(ProcessorConfiguration.preset(named: preset))
        let audiogram = try Audiogram(right: [250: 35, 500: 35, 1000: 40, 2000: 50, 3000: 55, 4000: 60, 6000: 65])  // Bisgaard N3
        var options = FittingOptions(rule: .nalR)
        options.fitInChannels(of: configuration)
        let rounded = try SoundProfile.fit(audiogram: audiogram, options: options)
        let exact = try SoundProfile.fit(audiogram: audiogram, options: options, rounded: false)
        #expect(rounded != exact, "the rounding changed something")
        // Half a step (0.005 dB). The static curves may move by up to half a step × (1 + slope)
        // (ProfileRoundingTests), but for speech the channel levels sit in compression near the
        // 65 dB speech point, where the prescription itself moves by at most half a step.
        let bound = SoundProfile.decibelStep / 2  // dB
        var worst = 0.0
        for speech in [55.0, 65, 80] {
            let a = try await offThePool { try TestBox(profile: rounded, ear: .right, configuration: configuration).measureInsertionGain(speechDBSPL: speech) }
            let b = try await offThePool { try TestBox(profile: exact, ear: .right, configuration: configuration).measureInsertionGain(speechDBSPL: speech) }
            #expect(a.bands.count == b.bands.count && !a.bands.isEmpty)
            for (x, y) in zip(a.bands, b.bands) {
                worst = max(worst, abs(x.realisedDB - y.realisedDB))
                #expect(abs(x.realisedDB - y.realisedDB) <= bound, "\(preset) \(speech) dB SPL \(x.label) Hz: \(x.realisedDB) vs \(y.realisedDB) dB")
            }
        }
        print("\(preset): realised LTASS insertion gain moved at most \(worst) dB by the rounding")
    }
}
