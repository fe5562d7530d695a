import Foundation
@testable import SoundProfileDSP

/// Access to Fixtures/ (audiograms and the numpy goldens of Fixtures/fitting/make_goldens.py).
enum FittingFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The ten Bisgaard standard audiograms.
    static let audiogramNames = ["N1", "N2", "N3", "N4", "N5", "N6", "N7", "S1", "S2", "S3"]

    static func data(_ relative: String) throws -> Data {
        try Data(contentsOf: root.appendingPathComponent(relative))
    }

    static func audiogram(_ name: String) throws -> Audiogram {
        try JSONDecoder().decode(Audiogram.self, from: data("audiograms/\(name).json"))
    }

    static func goldenProfile(_ name: String, _ rule: PrescriptionRule) throws -> SoundProfile {
        try JSONDecoder().decode(SoundProfile.self, from: data("fitting/golden/\(name)-\(rule.rawValue).json"))
    }

    struct GoldenGainTable: Decodable {
        var centerHz: [Double]
        var levelsDBSPL: [Double]
        var ears: [String: [[Double]]]
    }

    static func goldenGainTable(_ name: String, _ rule: PrescriptionRule) throws -> GoldenGainTable {
        try JSONDecoder().decode(GoldenGainTable.self, from: data("fitting/golden/\(name)-\(rule.rawValue).gaintable.json"))
    }

    /// Every (audiogram, rule) pair of the goldens.
    static var allCases: [(String, PrescriptionRule)] {
        audiogramNames.flatMap { n in PrescriptionRule.allCases.map { (n, $0) } }
    }

    /// The JSON object tree of `value` encoded with JSONEncoder, for editing in validation tests.
    static func jsonObject(_ data: Data) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }
}
