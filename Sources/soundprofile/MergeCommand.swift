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
import SoundProfileIO

/// `soundprofile merge DIR`: the results of a split `analyze … --output-dir DIR` run as one table,
/// in input order, or the list of inputs that have no result yet.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", _superCommandName: SoundProfileCommand.directParseSuperCommand,
        abstract: "Join the shards of `analyze --shard … --output-dir DIR` into one output, in input order.",
        discussion: """
        Reads DIR/settings-<key>/manifest/shard-I-of-N.json (written by each shard) and the stored results \
        DIR/settings-<key>/<sha256>.json. When DIR holds runs with several sets of settings, name one: \
        `soundprofile merge DIR/settings-<key>` (merge lists them). \
        The output is what one `analyze` of the same inputs on one machine prints, byte for byte; files that \
        failed are named on stderr (and in --errors FILE) and, as in analyze, have no CSV rows. When any \
        input has no result (a shard never ran, died, or was interrupted) nothing is written: every such \
        input is named on stderr with its shard, and re-running that shard with --skip-existing fills the gap. \
        Exit status: 0 every input analysed; 1 inputs without a result, or inputs that failed to analyse \
        (their error records are in the output, as analyze prints them), or unreadable or disagreeing \
        manifests; 2 usage error (DIR holds no manifests, or runs with several sets of settings).
        """)

    @Argument(help: "The --output-dir of the analyze runs.")
    var directory: String

    @Option(help: "Output format: csv, jsonl, json or table.")
    var format: AnalysisOutputFormat = .csv

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Also write one JSON record ({\"file\", \"error\"}) per file that could not be analysed to this file (JSON lines, atomically).")
    var errors: String?

    func run() throws {
        let plan: MergePlan
        do {
            let run = try Self.runFolder(in: directory)
            // An output inside the run folder could replace a manifest or a result merge reads.
            try refuseUnsafeOutputs([("--output", output), ("--errors", errors)], inputs: [], readFolder: run)
            plan = try MergePlan(directory: run)
        } catch let error as MergeError {
            printError("soundprofile merge: \(error.message)")
            throw ExitCode(error.usage ? 2 : 1)
        }
        if !plan.missing.isEmpty {
            for m in plan.missing { printError("soundprofile merge: no result for \(m.path) (shard \(m.shard) of \(plan.count): \(m.reason))") }
            let shards = Set(plan.missing.map(\.shard)).sorted()
            printError("soundprofile merge: \(plan.missing.count) of \(plan.total) inputs have no result; nothing written. "
                       + "Re-run shard\(shards.count == 1 ? "" : "s") \(shards.map(String.init).joined(separator: ", ")) of \(plan.count) "
                       + "with --skip-existing (Slurm: sbatch --array=\(shards.map(String.init).joined(separator: ",")) with SOUNDPROFILE_SHARD_COUNT=\(plan.count)), then merge again")
            throw ExitCode(1)
        }
        let sink = try OutputSink(path: output)
        let errorSink: OutputSink?
        do {
            errorSink = try errors.map { try OutputSink(path: $0, option: "--errors") }
        } catch {
            sink.discard()
            throw error
        }
        let renderer = AnalysisRenderer(format: format)
        sink.write(renderer.header)
        for (i, record) in plan.records.enumerated() { sink.write(renderer.render(record, index: i)) }
        sink.write(renderer.footer(recordCount: plan.records.count))
        let failed = plan.records.filter { if case .failure = $0 { true } else { false } }
        for f in failed {
            if case .failure(let e) = f { printError("soundprofile merge: \(e.file): \(e.error)") }
            errorSink?.write(AnalysisRenderer(format: .jsonl).render(f, index: 0))
        }
        try sink.finish()
        try errorSink?.finish()
        if !failed.isEmpty {
            printError("soundprofile merge: \(failed.count) of \(plan.total) files failed")
            throw ExitCode(1)
        }
    }
}

extension MergeCommand {
    /// The one run folder under `directory` (a settings folder of `analyze --output-dir`), or
    /// `directory` itself when it is one.
    /// - Throws: ``MergeError`` (usage) when there is none, or several to choose from.
    static func runFolder(in directory: String) throws -> String {
        let runs = ResultStore.runFolders(in: directory)
        if runs.count == 1 { return runs[0] }
        if runs.isEmpty {
            throw MergeError(message: "'\(directory)' holds no analyze results (no settings-<key>/manifest/ folder): give the --output-dir of `soundprofile analyze`", usage: true)
        }
        let described = runs.map { run -> String in
            let settings = (try? Data(contentsOf: URL(fileURLWithPath: run + "/" + ResultStore.settingsFileName)))
                .flatMap { try? JSONDecoder().decode(AnalysisProvenance.self, from: $0) }
            return "  \(run)" + (settings.map { "  (--bands \($0.bands) --range \($0.range), FFT \($0.fftSize.map(String.init) ?? "default"), hop \($0.hop.map(String.init) ?? "default"), full scale \($0.fullScaleDBSPL) dB SPL)" } ?? "")
        }
        throw MergeError(message: "'\(directory)' holds runs with \(runs.count) sets of settings; merge one of them:\n" + described.joined(separator: "\n"), usage: true)
    }
}

struct MergeError: Error {
    var message: String
    var usage = false
}

/// The records of a split run in input order, or what is missing; built from the manifests.
struct MergePlan {
    struct Missing: Equatable {
        var path: String
        var shard: Int
        var reason: String
    }

    var count: Int
    var total: Int
    var records: [AnalysisRecord] = []
    var missing: [Missing] = []

    init(directory: String) throws {
        let manifestDir = ShardManifest.directory(in: directory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: manifestDir) else {
            throw MergeError(message: "'\(directory)' has no manifest folder (\(manifestDir)): give the --output-dir of `soundprofile analyze`", usage: true)
        }
        var manifests: [(name: String, manifest: ShardManifest)] = []
        for name in names.sorted() where name.hasPrefix("shard-") && name.hasSuffix(".json") {
            let path = manifestDir + "/" + name
            do {
                let manifest = try JSONDecoder().decode(ShardManifest.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
                guard name == ShardManifest.fileName(index: manifest.shardIndex, count: manifest.shardCount) else {
                    throw MergeError(message: "\(path): says shard \(manifest.shardIndex) of \(manifest.shardCount), which is not its file name")
                }
                manifests.append((name, manifest))
            } catch let error as MergeError {
                throw error
            } catch {
                throw MergeError(message: "\(path): not a readable manifest: \(CLIMessage.reason(for: error, subject: path))")
            }
        }
        guard let first = manifests.first?.manifest else {
            throw MergeError(message: "'\(manifestDir)' holds no shard-I-of-N.json manifests", usage: true)
        }
        // One run only: the same shard count, inputs, settings and file list in every manifest.
        for (name, m) in manifests.dropFirst() {
            let theFirst = manifests[0].name
            if m.shardCount != first.shardCount {
                throw MergeError(message: "\(manifestDir) mixes runs split \(first.shardCount) ways (\(theFirst)) and \(m.shardCount) ways (\(name)): remove the stale manifests or merge each run from its own --output-dir")
            }
            if m.settings != first.settings {
                throw MergeError(message: "\(name) and \(theFirst) were analysed with different settings (\(m.settings.summary) vs \(first.settings.summary)): every shard must run the same command")
            }
            if m.allFiles != first.allFiles || m.inputs != first.inputs || m.recursive != first.recursive {
                let a = Set(first.allFiles.map(\.path)), b = Set(m.allFiles.map(\.path))
                let differing = a.symmetricDifference(b).sorted().prefix(5)
                throw MergeError(message: "\(name) and \(theFirst) saw different inputs (\(first.allFiles.count) vs \(m.allFiles.count) files\(differing.isEmpty ? ", same files in another order or other input arguments" : "; e.g. " + differing.joined(separator: ", "))): the corpus changed between tasks, re-run every shard")
            }
        }
        count = first.shardCount
        total = first.allFiles.count
        let byShard = Dictionary(manifests.map { ($0.manifest.shardIndex, $0.manifest) }, uniquingKeysWith: { a, _ in a })
        // Each shard's own entries, in its input order, consumed as the full list is walked.
        var cursor = [Int: Int]()
        let decoder = JSONDecoder()
        // The run's provenance (its settings.json), for the error records as analyze writes them.
        let provenance = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + ResultStore.settingsFileName)))
            .flatMap { try? decoder.decode(AnalysisProvenance.self, from: $0) }
        for file in first.allFiles {
            let shard = Shard.owner(ofKey: file.shardKey, count: count)
            guard let manifest = byShard[shard] else {
                missing.append(Missing(path: file.path, shard: shard, reason: "the shard wrote no manifest: its task never ran or died before starting"))
                continue
            }
            let position = cursor[shard, default: 0]
            cursor[shard] = position + 1
            guard position < manifest.files.count, manifest.files[position].path == file.path else {
                throw MergeError(message: "\(ShardManifest.fileName(index: shard, count: count)) does not list \(file.path) where the file list puts it: the manifest was not written by this version or was edited")
            }
            let entry = manifest.files[position]
            if let error = entry.error {
                records.append(.failure(FileAnalysisFailure(file: file.path, error: error, provenance: provenance)))
                continue
            }
            guard let key = entry.key else {
                missing.append(Missing(path: file.path, shard: shard, reason: manifest.complete ? "no result key in its manifest" : "the shard started but did not finish"))
                continue
            }
            let resultPath = directory + "/" + key + ".json"
            guard let data = FileManager.default.contents(atPath: resultPath) else {
                missing.append(Missing(path: file.path, shard: shard, reason: "its result \(resultPath) is gone"))
                continue
            }
            guard var result = try? decoder.decode(FileAnalysisResult.self, from: data) else {
                missing.append(Missing(path: file.path, shard: shard, reason: "its result \(resultPath) is not a readable analysis"))
                continue
            }
            guard result.fullScaleDBSPL == first.settings.fullScaleDBSPL, first.settings.fftSize.map({ $0 == result.fftSize }) ?? true,
                  first.settings.hop.map({ $0 == result.hop }) ?? true else {
                missing.append(Missing(path: file.path, shard: shard, reason: "its result \(resultPath) was analysed with other settings (another run wrote into the same folder)"))
                continue
            }
            result.file = file.path
            records.append(.success(result))
        }
    }
}
