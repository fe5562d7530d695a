public import SoundProfileDSP

/// What ``TestBox`` measured on one ear of a fitting, with the prescription next to it and the
/// checks against tolerances. Codable to the JSON of `soundprofile verify --format json`: keys
/// are camelCase and end in their unit (`…Hz`, `…DB`, `…DBSPL`, `…Milliseconds`, `…Percent`);
/// levels are in dB SPL with ``fullScaleDBSPL`` as the calibration.
public struct VerificationReport: Codable, Sendable, Equatable {
    /// The format version (1).
    public var schemaVersion = 1
    /// What each key suffix means (`"Hz"`, `"DB"`, `"DBSPL"`, `"Milliseconds"`, `"Percent"`, `"samples"`),
    /// written into the JSON so a reader needs no other document.
    public var units: [String: String] = VerificationReport.unitNames

    /// The units of the JSON keys, by key suffix.
    public static let unitNames: [String: String] = [
        "Hz": "frequency in hertz",
        "DB": "level difference (gain, insertion gain, deviation) in decibels",
        "DBSPL": "sound pressure level in dB SPL (re 20 µPa), calibrated by fullScaleDBSPL = the level of RMS 1.0",
        "Milliseconds": "time in milliseconds",
        "Percent": "percent",
        "samples": "samples at sampleRate",
    ]
    /// The ear measured.
    public var ear: Ear
    /// The processor preset measured (pod16k, pod24k, studio48k).
    public var preset: String
    /// The sample rate, in Hz.
    public var sampleRate: Double
    /// The profile's prescription rule.
    public var rule: String
    /// The level of RMS 1.0, in dB SPL.
    public var fullScaleDBSPL: Double
    /// True when the profile was not fitted in the preset's channels and was refitted into them.
    public var refitted: Bool
    /// The processor's compression channels (edges and centres in Hz).
    public var channels: [Band]
    /// The profile's targets (insertion gain for 65 dB SPL speech, dB, per frequency in Hz).
    public var targets: [TargetGain]
    /// The algorithmic latency (overlap-add plus the limiter's look-ahead).
    public var latency: Latency
    /// The group delay measured at 500, 1000 and 4000 Hz.
    public var groupDelay: [GroupDelayPoint]
    /// OSPL90: output for a 90 dB SPL tone sweep.
    public var ospl90: ToneSweep
    /// Full-on gain: the tone sweep at 50 dB SPL.
    public var fullOnGain: ToneSweep
    /// The frequency response: the tone sweep at 60 dB SPL.
    public var response60: ToneSweep
    /// Insertion gain for LTASS-shaped noise at 55, 65 and 80 dB SPL, per third-octave.
    public var insertionGain: [InsertionGainCurve]
    /// Input/output curves at 500, 1000, 2000, 4000 Hz, 40–100 dB SPL.
    public var ioCurves: [IOCurve]
    /// ANSI S3.22 attack and release at 2 kHz.
    public var attackRelease: AttackReleaseResult
    /// Total harmonic distortion at 500, 800, 1600 Hz, 70 dB SPL input.
    public var distortion: [DistortionPoint]
    /// The tolerances the checks used.
    public var tolerances: VerificationTolerances
    /// Every check: what was compared, the worst value and whether it passed.
    public var checks: [VerificationCheck]

    /// The algorithmic latency.
    public struct Latency: Codable, Sendable, Equatable {
        /// In samples.
        public var samples: Int
        /// In ms.
        public var milliseconds: Double
    }

    /// The group delay at one frequency: −dφ/dω of the output re the input, from the phase at f ± 10 Hz.
    public struct GroupDelayPoint: Codable, Sendable, Equatable {
        /// In Hz.
        public var frequencyHz: Double
        /// In ms.
        public var milliseconds: Double
        /// In samples (at the preset's sample rate).
        public var samples: Double
    }

    /// One tone of a sweep.
    public struct TonePoint: Codable, Sendable, Equatable {
        /// The tone's frequency, in Hz.
        public var frequencyHz: Double
        /// The output level at the tone's frequency, in dB SPL.
        public var outputDBSPL: Double
        /// The output level of everything (the tone and its distortion), in dB SPL.
        public var totalOutputDBSPL: Double
        /// Output at the tone's frequency minus the input level, in dB.
        public var gainDB: Double
        /// The prescribed gain for this tone: T(f) plus the channel's compression at this level, the
        /// output held at the channel's MPO, in dB.
        public var prescribedGainDB: Double
        /// The MPO of the channel holding the tone, in dB SPL.
        public var mpoDBSPL: Double
    }

    /// A pure-tone sweep at one input level.
    public struct ToneSweep: Codable, Sendable, Equatable {
        /// The input level of every tone, in dB SPL.
        public var inputDBSPL: Double
        /// One point per frequency (third-octaves), lowest first.
        public var points: [TonePoint]
    }

    /// The realised insertion gain in one third-octave band.
    public struct InsertionGainBand: Codable, Sendable, Equatable {
        /// The band's exact centre, in Hz.
        public var centerHz: Double
        /// The nominal label (e.g. "1k").
        public var label: String
        /// Output band power over input band power, in dB.
        public var realisedDB: Double
        /// T(f) + the compression of the channel holding the band at its measured level, in dB.
        public var prescribedDB: Double
        /// realised − prescribed, in dB.
        public var differenceDB: Double
        /// The input level of the channel holding the band, in dB SPL.
        public var channelLevelDBSPL: Double
        /// True when the band lies in the checked range (315 Hz … min(6 kHz, 0.4·fs)).
        public var checked: Bool
    }

    /// Insertion gain for LTASS-shaped noise at one overall level.
    public struct InsertionGainCurve: Codable, Sendable, Equatable {
        /// The overall speech level, in dB SPL.
        public var speechDBSPL: Double
        /// Third-octave bands, lowest first.
        public var bands: [InsertionGainBand]
    }

    /// One point of an input/output curve.
    public struct IOPoint: Codable, Sendable, Equatable {
        /// In dB SPL.
        public var inputDBSPL: Double
        /// The output at the tone's frequency, in dB SPL.
        public var outputDBSPL: Double
        /// The prescribed output, in dB SPL.
        public var prescribedOutputDBSPL: Double
    }

    /// An input/output curve for a tone.
    public struct IOCurve: Codable, Sendable, Equatable {
        /// In Hz.
        public var frequencyHz: Double
        /// The compression channel holding the tone (index into ``VerificationReport/channels``).
        public var channel: Int
        /// 40…100 dB SPL in 5 dB steps.
        public var points: [IOPoint]
    }

    /// ANSI S3.22 attack and release.
    public struct AttackReleaseResult: Codable, Sendable, Equatable {
        /// The tone's frequency, in Hz.
        public var frequencyHz: Double
        /// The step's low level, in dB SPL.
        public var lowDBSPL: Double
        /// The step's high level, in dB SPL.
        public var highDBSPL: Double
        /// Time for the output to stay within 3 dB of its new level after 55 → 90 dB SPL, in ms.
        public var attackMilliseconds: Double
        /// Time for the output to stay within 4 dB of its new level after 90 → 55 dB SPL, in ms.
        public var releaseMilliseconds: Double
        /// The profile's attack time for the channel holding the tone, in ms.
        public var fittedAttackMilliseconds: Double
        /// The profile's release time for that channel, in ms.
        public var fittedReleaseMilliseconds: Double
    }

    /// Total harmonic distortion for one tone.
    public struct DistortionPoint: Codable, Sendable, Equatable {
        /// In Hz.
        public var frequencyHz: Double
        /// In dB SPL.
        public var inputDBSPL: Double
        /// √(Σ harmonic powers / fundamental power) · 100, harmonics 2… below fs/2, in %.
        public var thdPercent: Double
    }

    /// One comparison against a tolerance.
    public struct VerificationCheck: Codable, Sendable, Equatable {
        /// Short name (e.g. "insertion gain LTASS 65 dB SPL").
        public var name: String
        /// "fitting" (the user's tolerances) or "pod-path" (this project's own limits).
        public var kind: String
        /// What the limit is, in words with its unit (e.g. "±1.0 dB", "≤ MPO + 2 dB").
        public var limit: String
        /// The worst value found, in ``unit``.
        public var worst: Double
        /// Where the worst value was found (e.g. "2000 Hz").
        public var worstAt: String
        /// The unit of ``worst``.
        public var unit: String
        /// True when every value was within the limit.
        public var pass: Bool
    }
}
