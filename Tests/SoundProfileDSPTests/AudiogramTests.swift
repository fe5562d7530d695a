import Foundation
import Testing
@testable import SoundProfileDSP

@Suite struct AudiogramTests {
    func decode(_ json: String) throws -> Audiogram {
        try JSONDecoder().decode(Audiogram.self, from: Data(json.utf8))
    }

    /// The error thrown by decoding `json`, which must be an AudiogramError.
    func error(_ json: String) -> AudiogramError? {
        do {
            _ = try decode(json)
            Issue.record("accepted: \(json)")
            return nil
        } catch let e as AudiogramError {
            return e
        } catch {
            Issue.record("not an AudiogramError: \(error)")
            return nil
        }
    }

    @Test func decodesTheFixtureAndInterpolatesInLogFrequency() throws {
        let a = try FittingFixtures.audiogram("N3")
        #expect(a.ears == [.right, .left])
        let right = try #require(a[.right])
        #expect(right.frequenciesHz == [250, 375, 500, 750, 1000, 1500, 2000, 3000, 4000, 6000])
        #expect(right.dBHL(atHz: 1000) == 40)
        // 1250 Hz between 1000 Hz (40) and 1500 Hz (45): t = log(1.25)/log(1.5) = 0.550340,
        // 40 + 0.550340·5 = 42.7517 dB HL.
        #expect(abs(right.dBHL(atHz: 1250) - 42.7517) < 0.0001)
        // Flat beyond the ends: 35 below 250 Hz, 65 above 6 kHz.
        #expect(right.dBHL(atHz: 125) == 35)
        #expect(right.dBHL(atHz: 8000) == 65)
    }

    @Test func schemaVersionIsOptionalAndOneEarMayBeAbsent() throws {
        let a = try decode(#"{"left": {"500": 20, "1000": 30, "2000": 40}}"#)
        #expect(a.ears == [.left])
        #expect(a[.right] == nil)
        #expect(error(#"{"schemaVersion": 2, "left": {"500": 20, "1000": 30, "2000": 40}}"#) == .unsupportedSchemaVersion(2))
    }

    @Test func roundTripsThroughJSON() throws {
        let a = try Audiogram(right: [500: 20, 1000: 30.5, 2000: 40, 750: 10])
        let data = try JSONEncoder().encode(a)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""750":10"#) && text.contains(#""schemaVersion":1"#) && !text.contains("left"))
        #expect(try JSONDecoder().decode(Audiogram.self, from: data) == a)
        // The file holds whole Hz (the service's contract: propertyNames 125…8000); a fractional
        // frequency can be measured in code but is not a key of the file.
        let fractional = try JSONEncoder().encode(try Audiogram(right: [500: 20, 1000: 30, 2000: 40, 187.5: 10]))
        #expect(throws: AudiogramError.frequencyNotANumber(ear: .right, key: "187.5")) { try JSONDecoder().decode(Audiogram.self, from: fractional) }
    }

    @Test func thresholdOutOfRangeNamesEarFrequencyValueAndRange() throws {
        let e = try #require(error(#"{"right": {"500": 20, "1000": 130, "2000": 40}}"#))
        #expect(e == .thresholdOutOfRange(ear: .right, frequencyHz: 1000, dBHL: 130))
        #expect(e.description == "right ear, 1000 Hz: threshold 130 dB HL is not allowed: it must be -10…120 dB HL")
        #expect(error(#"{"left": {"500": -15, "1000": 30, "2000": 40}}"#) == .thresholdOutOfRange(ear: .left, frequencyHz: 500, dBHL: -15))
    }

    @Test(arguments: [100.0, 9000.0, 0.0, -250.0])
    func frequencyOutOfRange(_ f: Double) throws {
        let e = try #require(error(#"{"left": {"500": 20, "1000": 30, "2000": 40, "\#(Int(f))": 10}}"#))
        #expect(e == .frequencyOutOfRange(ear: .left, frequencyHz: f))
        #expect(e.description.contains("left ear") && e.description.contains("125…8000 Hz"))
    }

    @Test func otherFileErrors() throws {
        let notANumber = try #require(error(#"{"right": {"500": 20, "1000": 30, "2000": 40, "1 kHz": 10}}"#))
        #expect(notANumber == .frequencyNotANumber(ear: .right, key: "1 kHz"))
        #expect(notANumber.description.contains("\"1 kHz\""))
        // One spelling per frequency (the service's rule): "1000.0" is refused, so it cannot
        // repeat "1000" either.
        let spelled = try #require(error(#"{"right": {"500": 20, "1000": 30, "1000.0": 35, "2000": 40}}"#))
        #expect(spelled == .frequencyNotANumber(ear: .right, key: "1000.0"))
        let duplicate = AudiogramError.duplicateFrequency(ear: .right, frequencyHz: 1000)
        #expect(duplicate.description == "right ear: frequency 1000 Hz is given more than once: each frequency must appear once")
        #expect(throws: AudiogramError.duplicateFrequency(ear: .right, frequencyHz: 1000)) {
            try HearingThresholds(ear: .right, thresholds: [(500, 20), (1000, 30), (1000, 35), (2000, 40)])
        }
        let missing = try #require(error(#"{"right": {"500": 20, "1000": 30, "2000": 40}, "left": {"500": 20, "1000": 30}}"#))
        #expect(missing == .missingFrequency(ear: .left, frequencyHz: 2000))
        #expect(missing.description == "left ear: no threshold at 2000 Hz: 500, 1000, 2000 Hz are required")
        #expect(error(#"{"schemaVersion": 1}"#) == .noEars)
        #expect(throws: AudiogramError.noEars) { try Audiogram() }
    }
}
