import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct LevelStatisticsTests {
    @Test func percentilesMinMaxAndLeqOfAKnownSequence() {
        // Levels 1, 2, …, 100 dB in one band: L10 = 91 (exceeded by 10 % of frames is ≥ 91),
        // L50 = 51, L90 = 11; Leq = 10·log10(mean 10^(L/10)).
        var stats = LevelStatistics(bandCount: 1)
        for l in 1...100 { stats.add(levels: [Float(l)]) }
        let s = stats.summary(band: 0)!
        #expect(abs(s.l10DB - 91) <= 0.1)
        #expect(abs(s.l50DB - 51) <= 0.1)
        #expect(abs(s.l90DB - 11) <= 0.1)
        #expect(s.minDB == 1 && s.maxDB == 100)
        let leq = 10 * log10((1...100).reduce(0.0) { $0 + pow(10, Double($1) / 10) } / 100)
        #expect(abs(s.leqDB - leq) < 1e-9)
    }

    @Test func mergingChunksEqualsOneRun() {
        var all = LevelStatistics(bandCount: 3), a = LevelStatistics(bandCount: 3), b = LevelStatistics(bandCount: 3)
        var g = SeededGenerator(seed: 7)
        for i in 0..<1000 {
            let levels = (0..<3).map { _ in Float(40 + 30 * Double.random(in: 0..<1, using: &g)) }
            all.add(levels: levels)
            if i % 3 == 0 { a.add(levels: levels) } else { b.add(levels: levels) }
        }
        b.merge(a)
        #expect(b.frameCount == 1000)
        for band in 0..<3 {
            let x = all.summary(band: band)!, y = b.summary(band: band)!
            #expect(abs(x.leqDB - y.leqDB) < 1e-9)
            #expect(x.l10DB == y.l10DB && x.l50DB == y.l50DB && x.l90DB == y.l90DB && x.minDB == y.minDB && x.maxDB == y.maxDB)
        }
    }

    @Test func memoryDoesNotGrowWithFrames() {
        var stats = LevelStatistics(bandCount: 2)
        let before = MemoryLayout<LevelStatistics>.size
        for i in 0..<100_000 { stats.add(levels: [Float(i % 120), 60]) }
        #expect(MemoryLayout<LevelStatistics>.size == before)
        #expect(stats.summary(band: 1)!.l50DB == 60)  // the bin centre 60.05 is clamped into [min, max]
        #expect(stats.summary(band: 1)!.minDB == 60)
    }
}
