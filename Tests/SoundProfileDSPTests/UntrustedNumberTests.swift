import Foundation
import Testing
@testable import SoundProfileDSP

/// Issue 11: numbers from input (levels of hostile audio, thresholds, band edges, profile
/// fields) never reach a trapping conversion. Each case trapped (SIGILL) before the fix.
@Suite struct UntrustedNumberTests {
    @Test func levelStatisticsTakeNonFiniteAndHugeLevels() {
        var stats = LevelStatistics(bandCount: 1)
        for l: Float in [.nan, .infinity, -.infinity, 3e38, -3e38, .greatestFiniteMagnitude, 50] {
            stats.add(levels: [l])
        }
        #expect(stats.frameCount == 7)
        let s = stats.summary(band: 0)!
        // ±∞ and ±3e38 count in the end bins; the largest level is +∞.
        #expect(s.maxDB == .infinity)
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity, 1e300, -1e300, 9.3e18, -9.3e18, 0, 299.96, 300.04])
    func histogramBinIsAlwaysInRange(level: Double) {
        let bin = LevelStatistics.bin(level: level, lowerBound: -100, resolution: 0.1, bins: 3000)
        #expect((0..<3000).contains(bin))
    }

    /// A huge value in a message reads as the value itself: not "inf" (the scaling by 100 for
    /// rounding overflowed beyond 1.8e306) and not "1e+3" (trailing zeros were cut from "1e+300").
    @Test func hugeValuesInMessagesAreThemselves() throws {
        #expect(fmt(1e308) == "1e+308")
        #expect(fmt(-1e308) == "-1e+308")
        #expect(fmt(1e300) == "1e+300")
        #expect(Band.trimmed(1e300) == "1e+300")
        #expect(fmt(12.5) == "12.5" && fmt(-10) == "-10" && fmt(0.125) == "0.13")
        #expect(fmt(.infinity) == "inf")
        let error = AudiogramError.thresholdOutOfRange(ear: .right, frequencyHz: 500, dBHL: 1e308)
        #expect(error.description.contains("threshold 1e+308 dB HL is not allowed"), "\(error)")
    }

    @Test(arguments: [1e19, -1e19, 9.2233720368547758e18, 1e300, .infinity, -.infinity, .nan])
    func labelsOfHugeNumbersDoNotTrap(x: Double) {
        #expect(!Band.trimmed(x).isEmpty)
        #expect(!fmt(x).isEmpty)
        #expect(!Band.shortLabel(x).isEmpty)
        #expect(!BandLayoutError.invalidRange(lowerHz: x, upperHz: x, allowed: "").description.isEmpty)
    }

    @Test func absurdlyNarrowCustomBandsAreRejectedWithAMessage() throws {
        let layout = try BandLayout.custom(edges: [1e-300, 2e-300, 1000])
        #expect {
            try layout.resolved(sampleRate: 48000, fftSize: 4096, policy: .reject)
        } throws: { error in
            guard case .bandTooNarrow(_, _, _, let n) = error as? BandLayoutError else { return false }
            return n == Int.max / 2 && String(describing: error).contains("an FFT of at least")
        }
        let narrow = try BandLayout.custom(edges: [1e-300, 2e-300])
        #expect(throws: BandLayoutError.self) { try narrow.resolved(sampleRate: 48000, fftSize: 4096, policy: .merge) }
    }

    @Test(arguments: [0.0, .infinity, .nan, 1e300, -5])
    func fittedBandLabelOfAHostileCentre(centerHz: Double) {
        let band = FittedBand(centerHz: centerHz, lowerHz: 0, upperHz: 1, gain65DB: 0, kneepointDBSPL: 45,
                              compressionRatio: 2, expansionThresholdDBSPL: 30, expansionRatio: 1, mpoDBSPL: 110,
                              attackMilliseconds: 5, releaseMilliseconds: 50)
        #expect(!band.band.label.isEmpty)
    }
}
