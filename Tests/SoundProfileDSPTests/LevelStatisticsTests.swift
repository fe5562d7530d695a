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

    /// The fast path (powers in, one log2f per band) against an independent computation: Leq as
    /// 10·log10 of the mean power in double, L10/L50/L90 as order statistics of the sorted
    /// levels. The histogram's 0.1 dB bins report a bin centre, so they agree to 0.05 dB plus
    /// float rounding.
    @Test(arguments: [1, 7, 1000, 4999])
    func powersGiveLeqAndExceedanceLevelsOfTheFrames(frames: Int) {
        var g = SeededGenerator(seed: UInt64(frames))
        let reference = 100.0
        var stats = LevelStatistics(bandCount: 2, powerReferenceDB: reference)
        var levels: [[Double]] = [[], []], sums = [0.0, 0.0]
        for _ in 0..<frames {
            // Powers from 1e-9 to 1 of full scale (10…100 dB SPL), and one band near the floor.
            let p: [Float] = [Float(pow(10, -9 * Double.random(in: 0..<1, using: &g))), Float(1e-21 * Double.random(in: 0..<2, using: &g))]
            stats.add(powers: p)
            for b in 0..<2 {
                let clamped = max(Double(p[b]), Double(powerFloor))
                sums[b] += clamped
                levels[b].append(10 * log10(clamped) + reference)
            }
        }
        for b in 0..<2 {
            let s = stats.summary(band: b)!
            let sorted = levels[b].sorted(by: >)
            func exceeded(_ fraction: Double) -> Double { sorted[max(1, Int((fraction * Double(frames)).rounded(.up))) - 1] }
            #expect(abs(s.leqDB - (10 * log10(sums[b] / Double(frames)) + reference)) < 0.001)
            #expect(abs(s.l10DB - exceeded(0.1)) <= 0.06, "L10 \(s.l10DB) vs \(exceeded(0.1))")
            #expect(abs(s.l50DB - exceeded(0.5)) <= 0.06, "L50 \(s.l50DB) vs \(exceeded(0.5))")
            #expect(abs(s.l90DB - exceeded(0.9)) <= 0.06, "L90 \(s.l90DB) vs \(exceeded(0.9))")
            #expect(abs(s.minDB - sorted.last!) < 0.001 && abs(s.maxDB - sorted.first!) < 0.001)
        }
    }

    /// The same frames through add(levels:) and add(powers:) give the same summary.
    @Test func powersAndLevelsAgree() {
        var byPower = LevelStatistics(bandCount: 1, powerReferenceDB: 94), byLevel = LevelStatistics(bandCount: 1, powerReferenceDB: 94)
        for i in 0..<500 {
            let p = Float(pow(10, -Double(i % 97) / 10))
            byPower.add(powers: [p])
            byLevel.add(levels: [Float(10 * log10(Double(p)) + 94)])
        }
        let a = byPower.summary(band: 0)!, b = byLevel.summary(band: 0)!
        for (x, y) in [(a.leqDB, b.leqDB), (a.l10DB, b.l10DB), (a.l50DB, b.l50DB), (a.l90DB, b.l90DB), (a.minDB, b.minDB), (a.maxDB, b.maxDB)] {
            #expect(abs(x - y) <= 0.1 + 1e-4, "\(x) vs \(y) dB SPL")
        }
    }

    /// NaN, ±∞ and huge values never trap (the histogram index is clamped before it becomes an Int).
    @Test func nonFiniteInputsDoNotTrap() {
        var stats = LevelStatistics(bandCount: 5, powerReferenceDB: 100)
        stats.add(powers: [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, 1])
        stats.add(levels: [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, 100])
        #expect(stats.frameCount == 2)
        #expect(abs(stats.summary(band: 4)!.leqDB - 100) < 1e-6)
        #expect(stats.summary(band: 2)!.minDB == -.infinity)  // the level −∞ itself
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
