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
import SoundProfileIO

/// The results folder of `analyze --output-dir ROOT` for one set of settings:
/// `ROOT/settings-<key>/` (the key: ``AnalysisProvenance/settingsKey``) holding `settings.json`
/// (the settings in words), one `<sha256 of the audio>.json` per analysed file and the run's
/// `manifest/`. A result is reused only from the folder of exactly the same settings, so runs
/// with other bands, FFT, calibration or result format coexist under one ROOT and never mix.
struct ResultStore: Sendable {
    /// The `--output-dir`.
    let root: String
    /// The settings every result in ``folder`` was made with.
    let provenance: AnalysisProvenance

    init(root: String, provenance: AnalysisProvenance) {
        self.root = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        self.provenance = provenance
    }

    /// `ROOT/settings-<key>`.
    var folder: String { root + "/" + provenance.settingsKey }

    /// The file name of the settings description in a settings folder.
    static let settingsFileName = "settings.json"

    /// Creates the folder and, the first time, its `settings.json`.
    func prepare() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + Self.settingsFileName
        if !FileManager.default.fileExists(atPath: path) {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try writeAtomically(encoder.encode(provenance) + Data("\n".utf8), to: path)
        }
    }

    /// Where the result of the audio with content hash `key` is stored.
    func path(forKey key: String) -> String { folder + "/" + key + ".json" }

    /// The stored result for `key`, when there is one that was made with exactly these settings
    /// (its own provenance is checked too, so a file copied or edited into the folder is not trusted).
    func reusable(key: String) -> FileAnalysisResult? {
        guard let data = FileManager.default.contents(atPath: path(forKey: key)),
              let result = try? JSONDecoder().decode(FileAnalysisResult.self, from: data),
              let made = result.provenance, made.sameSettings(as: provenance) else { return nil }
        return result
    }

    /// The folders that hold a run (a `manifest/` folder): the settings folders under `root`,
    /// sorted by name, after `root` itself when it is one (a settings folder named directly, or
    /// a folder written before results were kept per settings).
    static func runFolders(in root: String) -> [String] {
        let base = root.hasSuffix("/") && root.count > 1 ? String(root.dropLast()) : root
        func holdsRun(_ folder: String) -> Bool {
            PathText.isDirectory(ShardManifest.directory(in: folder))
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []
        let settings = names.sorted().filter { $0.hasPrefix("settings-") }.map { base + "/" + $0 }.filter(holdsRun)
        return (holdsRun(base) ? [base] : []) + settings
    }
}

/// What a batch did, for the closing line on stderr.
struct BatchSummary {
    var files = 0
    var failed = 0
    var reused = 0
    /// Analysed, but the result could not be stored in `--output-dir`.
    var notStored = 0
    /// Audio analysed or reused, in seconds.
    var audioSeconds = 0.0
    /// The part of ``audioSeconds`` taken from `--output-dir` rather than analysed.
    var reusedSeconds = 0.0

    mutating func add(_ record: AnalysisRecord, reused wasReused: Bool) {
        files += 1
        switch record {
        case .success(let r):
            audioSeconds += r.durationSeconds
            if wasReused {
                reused += 1
                reusedSeconds += r.durationSeconds
            }
        case .failure:
            failed += 1
        }
    }

    /// "200 files, 3.2 h of audio in 14 s, 820× real time, 2 failed". With reused results:
    /// "11 files (9 reused), 28 s of audio in 0.3 s, 4.1 s analysed at 14× real time, 0 failed"
    /// — the speed counts only the audio analysed in this run, never the reused results.
    func line(elapsed: Double) -> String {
        let analysed = max(0, audioSeconds - reusedSeconds)
        let speed = elapsed > 0 ? analysed / elapsed : 0
        var parts = ["\(files) file\(files == 1 ? "" : "s")\(reused > 0 ? " (\(reused) reused from --output-dir)" : ""), "
                     + "\(readableDuration(audioSeconds)) of audio in \(readableDuration(elapsed))"]
        if reused > 0 {
            if analysed > 0, elapsed > 0 {
                parts.append("\(readableDuration(analysed)) analysed at \(readableSpeed(speed)) real time")
            } else {
                parts.append("nothing analysed")
            }
        } else if audioSeconds > 0, elapsed > 0 {
            parts.append("\(readableSpeed(speed)) real time")
        }
        parts.append("\(failed) failed")
        return parts.joined(separator: ", ")
    }
}

/// A duration for people: "42 s" or "4.2 s" below a minute, "12.4 min" below an hour, "3.2 h" above.
func readableDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "? s" }
    if seconds < 10 { return formatted(seconds, 1) + " s" }
    if seconds < 60 { return formatted(seconds, 0) + " s" }
    if seconds < 3600 { return formatted(seconds / 60, 1) + " min" }
    return formatted(seconds / 3600, 1) + " h"
}

/// A speed-up over real time: "820×", "3.5×" (one decimal below 10).
func readableSpeed(_ factor: Double) -> String {
    guard factor.isFinite, factor >= 0 else { return "?×" }
    return (factor < 10 ? formatted(factor, 1) : formatted(factor, 0)) + "×"
}

/// A remaining time as the ETA clock shows it: "0:42", "12:05", "3:07:45" (hours past an hour);
/// clamped at 999:59:59 (a header may claim any duration).
func etaClock(_ seconds: Double) -> String {
    let limit: Double = 999 * 3600 + 59 * 60 + 59
    let clamped: Double = seconds.isFinite ? min(max(seconds, 0), limit) : 0
    let s = Int(clamped.rounded())
    let h = s / 3600, m = (s % 3600) / 60, sec = s % 60
    let two = { (x: Int) in x < 10 ? "0\(x)" : "\(x)" }
    return h > 0 ? "\(h):\(two(m)):\(two(sec))" : "\(m):\(two(sec))"
}
