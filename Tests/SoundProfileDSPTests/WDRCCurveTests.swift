import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct WDRCCurveTests {
    /// Gain tolerance, in dB.
    static let tolerance = 0.01

    struct Golden: Decodable {
        struct Parameters: Decodable {
            var gain65DB, level65DBSPL, kneepointDBSPL, expansionThresholdDBSPL, compressionRatio, expansionRatio, mpoDBSPL: Double
        }
        struct Case: Decodable { var levelDBSPL: Double; var gainDB: Double }
        var parameters: Parameters
        var cases: [Case]
    }

    func curve(cr: Double = 2, er: Double = 0.5, mpo: Double = 100) throws -> WDRCCurve {
        try WDRCCurve(gain65DB: 30, level65DBSPL: 55, kneepointDBSPL: 30, compressionRatio: cr,
                      expansionThresholdDBSPL: 15, expansionRatio: er, mpoDBSPL: mpo)
    }

    @Test func goldenPointsOnEveryBranch() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: FittingFixtures.data("fitting/golden/wdrc-curve-cases.json"))
        let p = golden.parameters
        let c = try WDRCCurve(gain65DB: p.gain65DB, level65DBSPL: p.level65DBSPL, kneepointDBSPL: p.kneepointDBSPL,
                              compressionRatio: p.compressionRatio, expansionThresholdDBSPL: p.expansionThresholdDBSPL,
                              expansionRatio: p.expansionRatio, mpoDBSPL: p.mpoDBSPL)
        #expect(golden.cases.count == 13)
        for k in golden.cases {
            #expect(abs(c.gainDB(atInputDBSPL: k.levelDBSPL) - k.gainDB) < Self.tolerance, "at \(k.levelDBSPL) dB SPL")
            #expect(abs(Double(c.gainDB(atInputDBSPL: Float(k.levelDBSPL))) - k.gainDB) < Self.tolerance)
        }
    }

    @Test func branchesByHand() throws {
        let c = try curve()
        // Gain at the knee: 30 + (1/2 − 1)·(30 − 55) = 42.5; flat down to the expansion threshold 15.
        #expect(abs(c.gainDB(atInputDBSPL: 30) - 42.5) < 1e-9)
        #expect(abs(c.gainDB(atInputDBSPL: 20) - 42.5) < 1e-9)
        // Expansion ER 0.5: slope 1/0.5 − 1 = 1: at 5 dB SPL, 42.5 − 10 = 32.5.
        #expect(abs(c.gainDB(atInputDBSPL: 5) - 32.5) < 1e-9)
        // Compression at 65: 30 − 0.5·10 = 25; limiter at 90: compressive 12.5 > MPO − L = 10 → 10.
        #expect(abs(c.gainDB(atInputDBSPL: 65) - 25) < 1e-9)
        #expect(abs(c.gainDB(atInputDBSPL: 90) - 10) < 1e-9)
    }

    @Test func continuousAtEveryKnee() throws {
        let c = try curve()
        // The limiter engages where 30 − 0.5·(L − 55) = 100 − L, i.e. L = 85.
        for knee in [15.0, 30, 85] {
            let below = c.gainDB(atInputDBSPL: knee - 1e-9), above = c.gainDB(atInputDBSPL: knee + 1e-9)
            #expect(abs(below - above) < 1e-6, "at \(knee) dB SPL")
        }
    }

    @Test(arguments: [1.0, 1.5, 2, 3, 10])
    func slopeInEachRegion(_ cr: Double) throws {
        let c = try curve(cr: cr, er: 0.25, mpo: 150)
        func slope(_ a: Double, _ b: Double) -> Double { (c.gainDB(atInputDBSPL: b) - c.gainDB(atInputDBSPL: a)) / (b - a) }
        #expect(abs(slope(0, 10) - (1 / 0.25 - 1)) < 1e-9)      // expansion: 1/ER − 1 = 3 dB/dB
        #expect(abs(slope(16, 29)) < 1e-9)                       // linear between E and K
        #expect(abs(slope(40, 70) - (1 / cr - 1)) < 1e-9)        // compression: 1/CR − 1
        let limited = try curve(cr: cr, er: 0.5, mpo: 60)
        // Above the limiter's knee the output is the MPO: gain slope −1.
        #expect(abs(limited.gainDB(atInputDBSPL: 100) - limited.gainDB(atInputDBSPL: 90) + 10) < 1e-9)
        #expect(abs(limited.outputDBSPL(atInputDBSPL: 100) - 60) < 1e-9)
    }

    @Test(arguments: FittingFixtures.audiogramNames)
    func fittedCurvesGiveThePrescriptionAt65AndNeverExceedMPO(_ name: String) throws {
        for rule in PrescriptionRule.allCases {
            let profile = try SoundProfile.fit(audiogram: try FittingFixtures.audiogram(name), options: FittingOptions(rule: rule))
            for ear in profile.ears.values {
                for band in ear.bands {
                    let c = try band.curve()
                    // L65 = kneepoint + 25 and is above the knee, so the compressive branch gives gain65 there.
                    #expect(abs(c.gainDB(atInputDBSPL: band.level65DBSPL) - band.gain65DB) < 1e-9)
                    for step in 0...640 {
                        let level = -20 + Double(step) / 4
                        #expect(c.outputDBSPL(atInputDBSPL: level) <= band.mpoDBSPL + 1e-9)
                    }
                }
            }
        }
    }

    @Test func invalidParametersNameTheField() throws {
        #expect(throws: FittingError.outOfRange(field: "compressionRatio", value: 0.5, allowed: "1…10")) { try curve(cr: 0.5) }
        #expect(throws: FittingError.outOfRange(field: "compressionRatio", value: 11, allowed: "1…10")) { try curve(cr: 11) }
        #expect(throws: FittingError.outOfRange(field: "expansionRatio", value: 0, allowed: "> 0 and ≤ 1")) { try curve(er: 0) }
        #expect(throws: FittingError.outOfRange(field: "expansionRatio", value: 1.5, allowed: "> 0 and ≤ 1")) { try curve(er: 1.5) }
        #expect(throws: FittingError.outOfRange(field: "mpoDBSPL", value: 200, allowed: "40…150 dB SPL")) { try curve(mpo: 200) }
        #expect(throws: FittingError.inconsistent(field: "expansionThresholdDBSPL", value: 40,
                                                  reason: "it must be at most kneepointDBSPL (30 dB SPL)")) {
            try WDRCCurve(gain65DB: 30, level65DBSPL: 55, kneepointDBSPL: 30, compressionRatio: 2,
                          expansionThresholdDBSPL: 40, expansionRatio: 0.5, mpoDBSPL: 100)
        }
        #expect(throws: FittingError.self) {
            try WDRCCurve(gain65DB: .nan, level65DBSPL: 55, kneepointDBSPL: 30, compressionRatio: 2,
                          expansionThresholdDBSPL: 15, expansionRatio: 0.5, mpoDBSPL: 100)
        }
        #expect(FittingError.outOfRange(field: "compressionRatio", value: 11, allowed: "1…10").description
                == "compressionRatio 11 is not allowed: it must be 1…10")
    }
}
