import Foundation
import Testing
@testable import SoundProfileDSP

/// `SoundProfile.compactJSON()` writes the profile without an encoder; Foundation's
/// `JSONEncoder` (sorted keys, slashes unescaped) is the reference for every byte.
@Suite struct CompactJSONTests {
    static func reference(_ profile: SoundProfile) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(profile), as: UTF8.self)
    }

    @Test(arguments: FittingFixtures.allCases)
    func fittedProfilesMatchTheEncoder(_ name: String, _ rule: PrescriptionRule) throws {
        let audiogram = try FittingFixtures.audiogram(name)
        for options in try ProfileRoundingTests.variants(rule) {
            for rounded in [true, false] {
                let profile = try SoundProfile.fit(audiogram: audiogram, options: options, rounded: rounded)
                #expect(try profile.compactJSON() == Self.reference(profile), "\(name) \(rule) \(options.layout.count) bands rounded \(rounded)")
            }
        }
    }

    /// Numbers a profile's fields can hold once changed by hand, strings with every kind of
    /// escape, one ear or two, with and without a preset.
    @Test func awkwardNumbersStringsAndEarsMatchTheEncoder() throws {
        let audiogram = try FittingFixtures.audiogram(FittingFixtures.allCases[0].0)
        let fitted = try SoundProfile.fit(audiogram: audiogram)
        let numbers: [Double] = [0, -0.0, 1, -1, 0.1, 0.1 + 0.2, 1e-7, 1.5e-300, 5e-324, 123456789012345680000, 1e21, 1e22, -2.5e15,
                                 9007199254740993, 1234.5678, 100, 65.000000000000014, .ulpOfOne, Double.greatestFiniteMagnitude]
        var rng = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var profile = fitted
            profile.rule = ["nal-r", #"q"uote\back/slash"#, "tab\there\u{01}\u{1F}\u{7F}é😀", ""][round % 4]
            profile.preset = round % 3 == 0 ? nil : ["pod16k", "a/b\n"][round % 2]
            if round % 5 == 0 { profile.ears[.left] = nil }
            if round % 7 == 0 { profile.ears[.right] = nil; profile.ears[.left] = fitted.ears[.left] }
            for ear in Ear.allCases {
                guard var e = profile.ears[ear] else { continue }
                for i in e.bands.indices {
                    let pick = { () -> Double in
                        Bool.random(using: &rng) ? numbers.randomElement(using: &rng)! : Double(bitPattern: UInt64.random(in: 0...0x7FEF_FFFF_FFFF_FFFF, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1)
                    }
                    e.bands[i].gain65DB = pick()
                    e.bands[i].centerHz = pick()
                    e.bands[i].releaseMilliseconds = pick()
                }
                for i in e.targets.indices { e.targets[i].insertionGainDB = numbers.randomElement(using: &rng)! }
                profile.ears[ear] = e
            }
            #expect(try profile.compactJSON() == Self.reference(profile))
        }
    }

    @Test func nonFiniteNumbersAreRefusedAsTheEncoderRefusesThem() throws {
        var profile = try SoundProfile.fit(audiogram: try FittingFixtures.audiogram(FittingFixtures.allCases[0].0))
        for bad in [Double.nan, .infinity, -.infinity] {
            profile.fullScaleDBSPL = bad
            #expect(throws: EncodingError.self) { try profile.compactJSON() }
            #expect(throws: EncodingError.self) { try Self.reference(profile) }
        }
    }
}
