#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The international long-term average speech spectrum (Byrne et al. 1994, JASA 96(4)),
/// and its level in any band.
///
/// The table holds third-octave band levels in dB SPL for speech at 70 dB SPL overall,
/// IEC bands 63 Hz … 16 kHz (band numbers −12 … 12, mid frequencies 1000·10^(x/10) Hz),
/// combined male and female values. A band's level follows DESIGN.md "Compression from a
/// prescription": each table band's intensity is spread evenly in Hz across its own exact IEC
/// edges, a band takes the part that overlaps it, and below 63 Hz / above 16 kHz the nearest
/// table band's intensity per Hz continues. Levels scale with speech level: at S dB SPL overall
/// every band is S − 70 dB relative to the table. Band levels are computed in double precision
/// without allocation (real-time safe), though fitting calls them off the audio thread.
public enum LTASS {
    /// The overall speech level the table is given for, in dB SPL.
    public static let tableOverallDBSPL: Double = 70
    /// The IEC third-octave band numbers of the table (63 Hz … 16 kHz nominal).
    public static let tableBandNumbers: ClosedRange<Int> = -12...12
    /// Third-octave band levels in dB SPL at 70 dB SPL overall, 63 Hz … 16 kHz nominal.
    public static let thirdOctaveLevelsDBSPL: [Double] = [
        38.6, 43.5, 54.4, 57.7, 56.8, 60.2, 60.3, 59.0, 62.1, 62.1, 60.5, 56.8, 53.7,
        53.0, 52.0, 48.7, 48.1, 46.8, 45.6, 44.5, 44.3, 43.7, 43.4, 41.3, 40.7,
    ]

    /// (lower edge Hz, upper edge Hz, intensity per Hz at 70 dB overall) for the tail below
    /// the table, the 25 table bands, and the tail above.
    static let pieces: [(lowerHz: Double, upperHz: Double, density: Double)] = {
        var p: [(lowerHz: Double, upperHz: Double, density: Double)] = []
        for (x, level) in zip(tableBandNumbers, thirdOctaveLevelsDBSPL) {
            let mid = BandLayout.thirdOctaveMidHz(x)
            let lo = mid * pow(10, -1.0 / 20), hi = mid * pow(10, 1.0 / 20)
            p.append((lo, hi, power(decibels: level) / (hi - lo)))
        }
        let first = p[0], last = p[p.count - 1]
        return [(0, first.lowerHz, first.density)] + p + [(last.upperHz, .infinity, last.density)]
    }()

    /// The level of the LTASS inside [lowerHz, upperHz), in dB SPL.
    /// - Parameters:
    ///   - lowerHz: The band's lower edge, in Hz (≥ 0).
    ///   - upperHz: The band's upper edge, in Hz (> lowerHz; may be +∞ only with lowerHz inside the spectrum).
    ///   - speechDBSPL: The overall speech level, in dB SPL (e.g. 65 or 40).
    /// - Returns: The band level in dB SPL (−∞ for an empty band).
    ///
    /// Real-time safe: no allocation after the table is first built.
    public static func bandLevelDBSPL(lowerHz: Double, upperHz: Double, speechDBSPL: Double) -> Double {
        var intensity = 0.0
        for piece in pieces {
            let overlap = min(upperHz, piece.upperHz) - max(lowerHz, piece.lowerHz)
            if overlap > 0 { intensity += piece.density * overlap }
        }
        return decibels(power: intensity) + (speechDBSPL - tableOverallDBSPL)
    }

    /// The LTASS level in each band of `layout`, in dB SPL.
    /// - Parameters:
    ///   - layout: The bands.
    ///   - speechDBSPL: The overall speech level, in dB SPL.
    /// - Returns: One level per band, lowest band first, in dB SPL.
    ///
    /// Allocates the result: not for the audio thread.
    public static func bandLevelsDBSPL(in layout: BandLayout, speechDBSPL: Double) -> [Double] {
        layout.bands.map { bandLevelDBSPL(lowerHz: $0.lowerHz, upperHz: $0.upperHz, speechDBSPL: speechDBSPL) }
    }
}
