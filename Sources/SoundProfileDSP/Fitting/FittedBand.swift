#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One band of a fitted profile: its edges and its WDRC parameters, exactly the fields of the
/// profile JSON (DESIGN.md "Formats").
///
/// All levels are band levels in dB SPL. Build the static curve with ``curve()`` (or
/// ``WDRCCurve/init(band:)``). A plain value; reading it is real-time safe.
public struct FittedBand: Sendable, Equatable, Codable {
    /// The allowed band gains, in dB.
    public static let allowedGainDB: ClosedRange<Double> = -60...100
    /// The allowed kneepoints, expansion thresholds and speech band levels, in dB SPL.
    public static let allowedLevelDBSPL: ClosedRange<Double> = -100...140
    /// The allowed MPOs, in dB SPL.
    public static let allowedMPODBSPL: ClosedRange<Double> = 40...150
    /// The upper limit for attack and release times, in milliseconds (both must be > 0).
    public static let maximumTimeMilliseconds: Double = 10_000

    /// The centre frequency, in Hz.
    public var centerHz: Double
    /// The lower edge, in Hz.
    public var lowerHz: Double
    /// The upper edge, in Hz.
    public var upperHz: Double
    /// The prescribed gain at the band's level for 65 dB SPL speech, in dB.
    public var gain65DB: Double
    /// The compression kneepoint: the band's level for 40 dB SPL speech, in dB SPL.
    public var kneepointDBSPL: Double
    /// The compression ratio above the kneepoint, 1…10.
    public var compressionRatio: Double
    /// The band level below which expansion starts, in dB SPL.
    public var expansionThresholdDBSPL: Double
    /// The expansion ratio, in (0, 1].
    public var expansionRatio: Double
    /// The maximum power output, in dB SPL.
    public var mpoDBSPL: Double
    /// The attack time (ANSI S3.22), in milliseconds.
    public var attackMilliseconds: Double
    /// The release time (ANSI S3.22), in milliseconds.
    public var releaseMilliseconds: Double

    /// Makes a band from its fields (not validated; ``SoundProfile`` validates on decoding and
    /// ``curve()`` validates the curve's fields).
    public init(centerHz: Double, lowerHz: Double, upperHz: Double, gain65DB: Double, kneepointDBSPL: Double,
                compressionRatio: Double, expansionThresholdDBSPL: Double, expansionRatio: Double, mpoDBSPL: Double,
                attackMilliseconds: Double, releaseMilliseconds: Double) {
        self.centerHz = centerHz
        self.lowerHz = lowerHz
        self.upperHz = upperHz
        self.gain65DB = gain65DB
        self.kneepointDBSPL = kneepointDBSPL
        self.compressionRatio = compressionRatio
        self.expansionThresholdDBSPL = expansionThresholdDBSPL
        self.expansionRatio = expansionRatio
        self.mpoDBSPL = mpoDBSPL
        self.attackMilliseconds = attackMilliseconds
        self.releaseMilliseconds = releaseMilliseconds
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case centerHz, lowerHz, upperHz, gain65DB, kneepointDBSPL, compressionRatio, expansionThresholdDBSPL, expansionRatio,
             mpoDBSPL, attackMilliseconds, releaseMilliseconds
    }

    /// Decodes a band of the profile JSON (validated by ``SoundProfile``).
    /// - Throws: ``JSONKeyError`` for a key the band does not have, `DecodingError` for a
    ///   missing key or a value of the wrong type.
    public init(from decoder: any Decoder) throws {
        let c = try strictContainer(decoder, allowed: Self.jsonKeys)
        func value(_ key: CodingKeys) throws -> Double { try c.decode(Double.self, forKey: AnyCodingKey(stringValue: key.stringValue)) }
        self.init(centerHz: try value(.centerHz), lowerHz: try value(.lowerHz), upperHz: try value(.upperHz),
                  gain65DB: try value(.gain65DB), kneepointDBSPL: try value(.kneepointDBSPL),
                  compressionRatio: try value(.compressionRatio), expansionThresholdDBSPL: try value(.expansionThresholdDBSPL),
                  expansionRatio: try value(.expansionRatio), mpoDBSPL: try value(.mpoDBSPL),
                  attackMilliseconds: try value(.attackMilliseconds), releaseMilliseconds: try value(.releaseMilliseconds))
    }

    /// The keys of a band object, in the order messages list them.
    static let jsonKeys = CodingKeys.allCases.map(\.stringValue)

    /// The band's level for 65 dB SPL speech, in dB SPL: the kneepoint + 25 dB.
    public var level65DBSPL: Double {
        kneepointDBSPL + (WDRCCurve.prescriptionSpeechDBSPL - WDRCCurve.kneepointSpeechDBSPL)
    }

    /// The band's static curve.
    /// - Throws: ``FittingError`` when a field is out of range.
    public func curve() throws -> WDRCCurve { try WDRCCurve(band: self) }

    /// The frequency interval as a ``Band``, labelled with the IEC nominal frequency when the
    /// centre is an exact IEC third-octave (or octave) mid frequency, else the rounded centre.
    public var band: Band {
        // Guarded: a profile read from a file may hold a centre of 0, ∞ or NaN, and Int(±∞) traps.
        let index = (10 * log10(centerHz / 1000)).rounded()
        let x = index.isFinite && abs(index) < 1000 ? Int(index) : 0
        let iec = centerHz > 0 && index.isFinite && abs(index) < 1000 && abs(centerHz / BandLayout.thirdOctaveMidHz(x) - 1) < 1e-9
        return Band(lowerHz: lowerHz, upperHz: upperHz, centerHz: centerHz,
                    label: iec ? BandLayout.nominalLabel(thirdOctave: x) : Band.shortLabel(centerHz))
    }

    /// Checks every field; `path` prefixes field names in errors (e.g. "ears.left.bands[3]").
    func validate(path: String) throws {
        guard lowerHz.isFinite, lowerHz >= 0 else {
            throw FittingError.outOfRange(field: "\(path).lowerHz", value: lowerHz, allowed: "≥ 0 Hz")
        }
        guard upperHz.isFinite, upperHz > lowerHz else {
            throw FittingError.inconsistent(field: "\(path).upperHz", value: upperHz, reason: "it must be above lowerHz (\(fmt(lowerHz)) Hz)")
        }
        guard centerHz.isFinite, centerHz >= lowerHz, centerHz <= upperHz, centerHz > 0 else {
            throw FittingError.inconsistent(field: "\(path).centerHz", value: centerHz,
                                            reason: "it must lie within lowerHz…upperHz (\(fmt(lowerHz))…\(fmt(upperHz)) Hz)")
        }
        do {
            _ = try curve()
        } catch FittingError.outOfRange(let field, let value, let allowed) {
            throw FittingError.outOfRange(field: "\(path).\(field)", value: value, allowed: allowed)
        } catch FittingError.inconsistent(let field, let value, let reason) {
            throw FittingError.inconsistent(field: "\(path).\(field)", value: value, reason: reason)
        }
        try check(attackMilliseconds, above: 0, upTo: Self.maximumTimeMilliseconds, field: "\(path).attackMilliseconds", unit: "ms")
        try check(releaseMilliseconds, above: 0, upTo: Self.maximumTimeMilliseconds, field: "\(path).releaseMilliseconds", unit: "ms")
    }
}
