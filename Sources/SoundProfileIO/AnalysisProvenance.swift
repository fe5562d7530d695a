public import SoundProfileDSP
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

/// How an analysis result was made: the tool, the version of the result format, and every option
/// that decides the numbers, as given on the command line. `soundprofile analyze` puts it in
/// every JSON/JSONL record (`"provenance": {…}`) and in the CSV's trailing columns, and keys the
/// results it stores under `--output-dir` by it (see ``settingsKey``).
public struct AnalysisProvenance: Codable, Sendable, Equatable {
    /// The program and its version, e.g. "soundprofile 1.0.0".
    public var tool: String
    /// The version of the analysis result format (``currentFormatVersion``): raised whenever a
    /// result's numbers or layout change for the same options.
    public var formatVersion: Int
    /// The band layout as given (`third-octave`, `octave`, `erb:N`, `log:N`, `custom:…`).
    public var bands: String
    /// The frequency range as given, `LOW-HIGH` in Hz.
    public var range: String
    /// The analysis window (`hann`: periodic Hann).
    public var window: String
    /// The FFT length asked for, in samples; absent: 4096 at 48 kHz, scaled with the sample rate
    /// (each record's `fftSize` is the length used).
    public var fftSize: Int?
    /// The frame advance asked for, in samples; absent: half the FFT length.
    public var hop: Int?
    /// Calibration: the level of a signal with RMS 1.0, in dB SPL.
    public var fullScaleDBSPL: Double
    /// What was done with bands narrower than an FFT bin (`merge` or `reject`).
    public var narrowBands: String
    /// What was done with NaN, infinite and beyond-±1e9 samples (`reject` or `zero`).
    public var unusableSamples: String
    /// The most channels a file may have.
    public var maxChannels: Int

    /// The version of this program, as provenance records it.
    public static let toolVersion = soundProfileVersion
    /// The current ``formatVersion``: 2 added the band `index` and `label` and this block; 3
    /// counts every sample (the overall Leq is the exact mean square, the samples after the last
    /// full frame get an end frame, a file shorter than a frame is analysed whole) and adds `note`.
    public static let currentFormatVersion = 3

    /// The provenance of an analysis with these options, made by this build.
    /// - Parameters:
    ///   - bands: The `--bands` text.
    ///   - range: The `--range` text.
    ///   - settings: The parsed settings (FFT, hop, calibration, window, policies).
    public init(bands: String, range: String, settings: AnalysisSettings) {
        tool = "soundprofile \(Self.toolVersion)"
        formatVersion = Self.currentFormatVersion
        self.bands = bands
        self.range = range
        window = settings.window.rawValue
        fftSize = settings.fftSize
        hop = settings.hop
        fullScaleDBSPL = settings.fullScaleDBSPL
        narrowBands = settings.narrowBands.rawValue
        unusableSamples = settings.unusableSamples.rawValue
        maxChannels = settings.maxChannels
    }

    /// Everything but ``tool``, as canonical JSON (sorted keys): two results with equal settings
    /// text were made from the same options and the same result format.
    public var settingsText: String {
        var copy = self
        copy.tool = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Only numbers, strings and validated finite values: encoding cannot fail.
        return String(decoding: (try? encoder.encode(copy)) ?? Data(), as: UTF8.self)
    }

    /// A short name for the settings: "settings-" and the first 16 hex digits of the SHA-256 of
    /// ``settingsText``. Results stored under `--output-dir` live in a folder of this name, so
    /// results of other options never mix and several sets of options coexist.
    public var settingsKey: String {
        let bytes = Array(settingsText.utf8)
        return "settings-" + bytes.withUnsafeBytes { SHA256Hasher.hex(of: $0) }.prefix(16)
    }

    /// The same settings (ignoring which build made the result).
    public func sameSettings(as other: AnalysisProvenance) -> Bool { settingsText == other.settingsText }
}
