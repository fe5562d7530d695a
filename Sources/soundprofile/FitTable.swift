#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SoundProfileDSP

/// The human-readable form of a fitted profile: prescription targets and the per-band
/// compression settings, one row per band, units in the headers.
struct FitTable {
    var profile: SoundProfile
    var audiogramPath: String
    var bandsSpec: String
    var range: String

    func render() throws -> String {
        var out = "Sound profile: rule \(profile.rule), \(bandsSpec) bands \(range) Hz, "
            + "calibration \(formatted(profile.fullScaleDBSPL, 1)) dB SPL at full scale (RMS 1.0)\n"
        out += "Audiogram: \(audiogramPath)\n"
        let ears = Ear.allCases.filter { profile[$0] != nil }

        out += "\nPrescription targets: insertion gain (dB) for 65 dB SPL speech\n"
        let frequencies = PrescriptionRule.targetFrequenciesHz
        out += pad("Ear", 6) + frequencies.map { lpad(label($0), 7) }.joined() + "\n"
        for ear in ears {
            guard let e = profile[ear] else { continue }
            out += pad(ear.rawValue, 6) + e.targets.map { lpad(formatted($0.insertionGainDB, 1), 7) }.joined() + "\n"
        }

        out += "\nCompression per band (levels are band levels in dB SPL; gain = static curve gain in dB)\n"
        let columns: [(String, String, Int)] = [
            ("Ear", "", 6), ("Band", "Hz", 7), ("Gain 50", "dB", 9), ("Gain 65", "dB", 9), ("Gain 80", "dB", 9),
            ("Knee", "dB SPL", 9), ("CR", "", 6), ("Exp. thr", "dB SPL", 10), ("ER", "", 6),
            ("MPO", "dB SPL", 9), ("Attack", "ms", 8), ("Release", "ms", 9),
        ]
        out += columns.enumerated().map { i, c in i == 0 ? pad(c.0, c.2) : lpad(c.0, c.2) }.joined() + "\n"
        out += columns.enumerated().map { i, c in i == 0 ? pad(c.1, c.2) : lpad(c.1, c.2) }.joined() + "\n"
        for ear in ears {
            guard let e = profile[ear] else { continue }
            let labels = try e.layout().bands.map(\.label)
            for (band, label) in zip(e.bands, labels) {
                let curve = try band.curve()
                // Gains for soft, average and loud speech: the band's LTASS level at 50/65/80 dB SPL.
                let g = [-15.0, 0, 15].map { curve.gainDB(atInputDBSPL: band.level65DBSPL + $0) }
                let cells = [
                    label, formatted(g[0], 1), formatted(g[1], 1), formatted(g[2], 1),
                    formatted(band.kneepointDBSPL, 1), formatted(band.compressionRatio, 1),
                    formatted(band.expansionThresholdDBSPL, 1), formatted(band.expansionRatio, 2),
                    formatted(band.mpoDBSPL, 1), formatted(band.attackMilliseconds, 0), formatted(band.releaseMilliseconds, 0),
                ]
                out += pad(ear.rawValue, columns[0].2)
                    + zip(cells, columns.dropFirst()).map { lpad($0, $1.2) }.joined() + "\n"
            }
        }
        out += "\nGain 50/65/80: gain for soft/average/loud speech (band level of 50/65/80 dB SPL speech). "
            + "Knee: band level of 40 dB SPL speech. CR/ER: compression/expansion ratio. MPO: output limit.\n"
        return out
    }

    private func label(_ hz: Double) -> String { hz >= 1000 ? Band(lowerHz: hz, upperHz: hz + 1, centerHz: hz).label : String(Int(hz)) }
    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
    private func lpad(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }
}
