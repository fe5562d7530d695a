import ArgumentParser
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
import Synchronization

/// What one `analyze … --output-dir ROOT` run (one shard of a split run, or the whole run) was asked
/// to do and what became of each of its files; written to `DIR/manifest/shard-I-of-N.json`
/// (`shard-0-of-1.json` without `--shard`), where DIR is the run's settings folder
/// `ROOT/settings-<key>` (see ``ResultStore``), when the run starts (`complete: false`, no keys
/// yet) and again when it ends. `soundprofile merge ROOT` reads them.
struct ShardManifest: Codable, Equatable {
    /// Always 1.
    var schemaVersion = 1
    var shardIndex: Int
    var shardCount: Int
    /// The inputs as given on the command line, and --recursive.
    var inputs: [String]
    var recursive: Bool
    /// The analysis options, as given (every shard of one run must agree).
    var settings: Settings
    /// Every file of the whole run (all shards), in input order, with its shard key: merge
    /// names the files of a shard that never wrote its manifest from this list.
    var allFiles: [InputFile]
    /// This shard's files, in input order.
    var files: [Entry]
    /// Folders under the inputs that could not be listed (their files are in no shard's list);
    /// absent in manifests of earlier versions.
    var unlistableFolders: [UnlistableFolder]?
    /// True once every file of the shard has a result key or an error.
    var complete: Bool
    /// Provenance: when and where (ISO 8601, UTC; host name).
    var startedAt: String
    var finishedAt: String?
    var host: String

    struct Settings: Codable, Equatable {
        var bands: String
        var range: String
        var fftSize: Int?
        var hop: Int?
        var fullScaleDBSPL: Double
        var narrowBands: String
        var maxChannels: Int
        var zeroUnusableSamples: Bool

        var summary: String {
            "--bands \(bands) --range \(range) --fft-size \(fftSize.map(String.init) ?? "default") --hop \(hop.map(String.init) ?? "default") "
                + "--full-scale-db-spl \(fullScaleDBSPL) --narrow-bands \(narrowBands) --max-channels \(maxChannels)\(zeroUnusableSamples ? " --zero-unusable-samples" : "")"
        }
    }

    struct UnlistableFolder: Codable, Equatable {
        var folder: String
        var reason: String
    }

    struct Entry: Codable, Equatable {
        var path: String
        /// The stored result: `DIR/<key>.json` in the settings folder, the SHA-256 of the audio.
        var key: String?
        /// Why the file could not be analysed.
        var error: String?
    }

    static func directory(in outputDir: String) -> String { outputDir + "/manifest" }

    static func fileName(index: Int, count: Int) -> String { "shard-\(index)-of-\(count).json" }

    func write(to outputDir: String) throws {
        let dir = Self.directory(in: outputDir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try writeAtomically(encoder.encode(self), to: dir + "/" + Self.fileName(index: shardIndex, count: shardCount))
    }

    /// Refuses a settings folder that holds manifests of a run with other settings. The folder's
    /// name is a hash of the settings, so this happens only to a folder edited or copied by hand;
    /// merge would mix the results.
    static func checkSettings(_ settings: Settings, in outputDir: String) throws {
        let dir = directory(in: outputDir)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names.sorted() where name.hasPrefix("shard-") && name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: dir + "/" + name),
                  let other = try? JSONDecoder().decode(ShardManifest.self, from: data) else { continue }
            if other.settings != settings {
                // Bad input on disk, not a usage error: exit 1, without the usage text.
                throw CLIError(dir + "/" + name, "was written with other settings (\(other.settings.summary)) than this run's (\(settings.summary)), "
                               + "in the folder of this run's settings: it was edited or copied in; remove \(dir)")
            }
        }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601)
    }

    static var hostName: String { ProcessInfo.processInfo.hostName }
}

extension AnalyzeCommand {
    /// This run's manifest; `outcomes` holds, per file of `mine`, its result key or its error
    /// (none yet when the run starts).
    func manifest(shard: Shard?, all: [InputFile], mine: [InputFile], outcomes: [(key: String?, error: String?)]?,
                  complete: Bool, startedAt: String, unlistable: [(folder: String, reason: String)] = []) -> ShardManifest {
        ShardManifest(
            shardIndex: shard?.index ?? 0, shardCount: shard?.count ?? 1, inputs: inputs, recursive: recursive,
            settings: .init(bands: bands, range: range, fftSize: fftSize, hop: hop, fullScaleDBSPL: fullScaleDbSpl,
                            narrowBands: narrowBands.rawValue, maxChannels: maxChannels, zeroUnusableSamples: zeroUnusableSamples),
            allFiles: all,
            files: mine.enumerated().map { i, f in
                ShardManifest.Entry(path: f.path, key: outcomes?[i].key, error: outcomes?[i].error)
            },
            unlistableFolders: unlistable.isEmpty ? nil : unlistable.map { .init(folder: $0.folder, reason: $0.reason) },
            complete: complete, startedAt: startedAt, finishedAt: outcomes == nil ? nil : ShardManifest.timestamp(),
            host: ShardManifest.hostName)
    }
}

/// The content keys found while a batch runs (path → SHA-256 of the audio), filled from the worker tasks.
final class ResultKeys: Sendable {
    private let keys = Mutex<[String: String]>([:])

    func record(path: String, key: String) { keys.withLock { $0[path] = key } }

    func key(for path: String) -> String? { keys.withLock { $0[path] } }
}
