import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct PrescriptionTests {
    /// Tolerance for gains, in dB.
    static let tolerance = 0.01

    func thresholds(_ name: String) throws -> HearingThresholds {
        try #require(try FittingFixtures.audiogram(name)[.right])
    }

    func expectGains(_ actual: [Double], _ expected: [Double?], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.count == 9, sourceLocation: sourceLocation)
        for (i, e) in expected.enumerated() {
            guard let e else { continue }
            #expect(abs(actual[i] - e) < Self.tolerance, "at \(PrescriptionRule.targetFrequenciesHz[i]) Hz: \(actual[i]) vs \(e)",
                    sourceLocation: sourceLocation)
        }
    }

    @Test func registryNamesMatchTheRules() {
        for rule in PrescriptionRule.allCases {
            #expect(rule.prescription.name == rule.rawValue)
        }
        #expect(PrescriptionRule(rawValue: "nal-rp") == .nalRP)
        #expect(PrescriptionRule.allCases.map(\.rawValue) == ["nal-r", "nal-rp", "half-gain", "pogo"])
    }

    @Test func nalRByHandForN3() throws {
        // N3: 35 35 35 35 40 45 50 55 60 65 dB HL at 250 375 500 750 1k 1.5k 2k 3k 4k 6k.
        // 0.05·(HTL500 + HTL1000 + HTL2000) = 0.05·(35 + 40 + 50) = 6.25.
        // 250: 0.31·35 + 6.25 − 17 = 0.10     500: 10.85 + 6.25 − 8 = 9.10   750: 10.85 + 6.25 − 3 = 14.10
        // 1k: 0.31·40 + 6.25 + 1 = 19.65      1.5k: 13.95 + 6.25 + 1 = 21.20  2k: 15.5 + 6.25 − 1 = 20.75
        // 3k: 17.05 + 6.25 − 2 = 21.30        4k: 18.6 + 6.25 − 2 = 22.85     6k: 20.15 + 6.25 − 2 = 24.40
        expectGains(NALR().targetGains(for: try thresholds("N3")),
                    [0.10, 9.10, 14.10, 19.65, 21.20, 20.75, 21.30, 22.85, 24.40])
    }

    @Test func halfGainAndPOGOByHandForN3() throws {
        // Half-gain: 0.5·HTL.  POGO: 0.5·HTL − 10 at 250 Hz (17.5 − 10 = 7.5), − 5 at 500 Hz (12.5).
        let t = try thresholds("N3")
        expectGains(HalfGain().targetGains(for: t), [17.5, 17.5, 17.5, 20, 22.5, 25, 27.5, 30, 32.5])
        expectGains(POGO().targetGains(for: t), [7.5, 12.5, 17.5, 20, 22.5, 25, 27.5, 30, 32.5])
    }

    @Test func negativeGainsAreClippedToZero() throws {
        // N1: 10 dB HL to 1.5 kHz, 15 at 2k. 0.05·(10 + 10 + 15) = 1.75.
        // NAL-R 250: 3.1 + 1.75 − 17 = −12.15 → 0;  500: 3.1 + 1.75 − 8 = −3.15 → 0;
        // 750: 3.1 + 1.75 − 3 = 1.85;  1k: 3.1 + 1.75 + 1 = 5.85.
        let t = try thresholds("N1")
        #expect(abs(NALR().unclippedTargetGains(for: t)[0] - -12.15) < Self.tolerance)
        expectGains(NALR().targetGains(for: t), [0, 0, 1.85, 5.85, nil, nil, nil, nil, nil])
        // POGO 250: 0.5·10 − 10 = −5 → 0; 500: 5 − 5 = 0.
        expectGains(POGO().targetGains(for: t), [0, 0, 5, 5, nil, nil, nil, nil, nil])
        // Half-gain of a −10 dB HL ear: −5 → 0 everywhere.
        let better = try HearingThresholds(ear: .left, dBHLByHz: [500: -10, 1000: -10, 2000: -10])
        expectGains(HalfGain().targetGains(for: better), Array(repeating: 0, count: 9))
    }

    @Test func nalRPAddsTheH3FACorrectionAbove60() throws {
        // N5: HTL500 70, HTL1000 75, HTL2000 80: H3FA = 75 > 60, + 0.2·15 = 3 dB; HTL2000 < 95: no table.
        // 1k: 0.31·75 + 0.05·225 + 1 + 3 = 23.25 + 11.25 + 1 + 3 = 38.50.
        let t = try thresholds("N5")
        let r = NALR().targetGains(for: t), rp = NALRP().targetGains(for: t)
        expectGains(rp, r.map { $0 + 3 })
        expectGains(rp, [nil, nil, nil, 38.5, nil, nil, nil, nil, nil])
        // H3FA exactly 60 adds nothing (the rule says "exceeds").
        let at60 = try HearingThresholds(ear: .right, dBHLByHz: [500: 60, 1000: 60, 2000: 60])
        expectGains(NALRP().targetGains(for: at60), NALR().targetGains(for: at60))
    }

    @Test func nalRPAddsTheTableForHTL2000AtLeast95() throws {
        // N7: 90 92.5 95 100 105 105 105 … dB HL. 0.05·(95 + 105 + 105) = 15.25; H3FA = 305/3 = 101.667,
        // + 0.2·41.667 = 8.333. HTL2000 = 105: row 8, 5, 0, −3, −5, −5, −5, −5 (250, 500, 1k, 1.5k, 2k, …).
        // 250: 0.31·90 + 15.25 − 17 + 8.333 + 8 = 27.9 − 1.75 + 16.333 = 42.483
        // 750: c750 = 5 + log2(1.5)·(0 − 5) = 5 − 2.925 = 2.075; 31 + 15.25 − 3 + 8.333 + 2.075 = 53.658
        // 2k: 32.55 + 15.25 − 1 + 8.333 − 5 = 50.133
        let t = try thresholds("N7")
        expectGains(NALRP().targetGains(for: t), [42.483, nil, 53.658, nil, nil, 50.133, nil, nil, nil])
    }

    @Test func severeLossTableInterpolatesBetweenRowsAndHoldsAbove120() {
        #expect(NALRP.severeLossCorrection(htl2000: 94.9) == Array(repeating: 0, count: 9))
        // 95 row exactly.
        let at95 = NALRP.severeLossCorrection(htl2000: 95)
        expectGains(at95, [4, 3, nil, 0, -1, -2, -2, -2, -2])
        // 97.5: halfway between the 95 and 100 rows: 5, 3.5, –, 0, −1.5, −2.5 …
        expectGains(NALRP.severeLossCorrection(htl2000: 97.5), [5, 3.5, nil, 0, -1.5, -2.5, -2.5, -2.5, -2.5])
        // Above 120: the 120 row. 750 Hz: 9 + 0.585·(0 − 9) = 3.736.
        expectGains(NALRP.severeLossCorrection(htl2000: 125), [15, 9, 3.736, 0, -5, -9, -9, -9, -9])
    }

    @Test func targetAtABandCentreInterpolatesInLogFrequency() throws {
        let targets = NALR().targets(for: try thresholds("N3"))
        // 1258.9 Hz between 1000 (19.65) and 1500 (21.20): t = 0.1/log10(1.5) = 0.56789; 19.65 + 0.56789·1.55 = 20.530.
        #expect(abs(targets.insertionGainDB(atHz: BandLayout.thirdOctaveMidHz(1)) - 20.530) < Self.tolerance)
        // Flat beyond 250 Hz and 6 kHz.
        #expect(targets.insertionGainDB(atHz: 125) == targets[0].insertionGainDB)
        #expect(targets.insertionGainDB(atHz: 8000) == targets[8].insertionGainDB)
    }

    @Test(arguments: FittingFixtures.allCases)
    func goldenTargets(_ name: String, _ rule: PrescriptionRule) throws {
        let golden = try FittingFixtures.goldenProfile(name, rule)
        let audiogram = try FittingFixtures.audiogram(name)
        for ear in Ear.allCases {
            let expected = try #require(golden[ear]).targets
            let actual = rule.prescription.targets(for: try #require(audiogram[ear]))
            #expect(actual.map(\.frequencyHz) == expected.map(\.frequencyHz))
            for (a, e) in zip(actual, expected) {
                #expect(abs(a.insertionGainDB - e.insertionGainDB) < Self.tolerance, "\(name) \(rule) \(ear) \(a.frequencyHz) Hz")
            }
        }
    }
}
