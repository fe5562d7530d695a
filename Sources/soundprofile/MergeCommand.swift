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
import SoundProfileDSP
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
        manifests, or DIR missing or not a folder; 2 usage error (DIR holds no manifests, or runs with \
        several sets of settings).
        """)

    @Argument(help: "The --output-dir of the analyze runs.")
    var directory: String

    @Option(help: "Output format: csv, jsonl, json or table.")
    var format: AnalysisOutputFormat = .csv

    @Option(name: [.short, .long], help: "Write the output to this file (atomically; `-` is standard output, a device or FIFO is written into) instead of standard output.")
    var output: String?

    @Option(help: "Also write one JSON record ({\"file\", \"error\"}) per file that could not be analysed to this file (JSON lines, atomically).")
    var errors: String?

    func run() throws {
        // A folder that is not there (a typo, an unmounted disk) or is a file is bad input, not
        // a usage error.
        if !PathText.exists(directory) {
            printError("soundprofile merge: \(directory): not found (no such folder)")
            throw ExitCode(1)
        }
        if !PathText.isDirectory(directory) {
            printError("soundprofile merge: \(directory): is not a folder (give the --output-dir of `soundprofile analyze`)")
            throw ExitCode(1)
        }
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
        for u in plan.unlistable {
            printError("soundprofile merge: \(u.folder): could not be listed when the shards ran (\(u.reason)); its audio files are in no result")
        }
        if !failed.isEmpty {
            printError("soundprofile merge: \(failed.count) of \(plan.total) files failed")
        }
        if !plan.unlistable.isEmpty {
            printError("soundprofile merge: \(plan.unlistable.count) folder\(plan.unlistable.count == 1 ? "" : "s") under the inputs could not be listed (named above)")
        }
        if !failed.isEmpty || !plan.unlistable.isEmpty { throw ExitCode(1) }
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
        let settings = runs.map { run in
            (try? Data(contentsOf: URL(fileURLWithPath: run + "/" + ResultStore.settingsFileName)))
                .flatMap { try? JSONDecoder().decode(AnalysisProvenance.self, from: $0) }
        }
        // Every setting in which the folders differ (always the bands and range), so no two lines look alike.
        let described = zip(runs, settings).map { run, provenance -> String in
            "  \(run)" + (provenance.map { "  (" + $0.settingWords(differingAmong: settings.compactMap { $0 }).joined(separator: " ") + ")" }
                           ?? "  (no readable \(ResultStore.settingsFileName))")
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
    /// Folders under the inputs that could not be listed when the shards ran.
    var unlistable: [ShardManifest.UnlistableFolder] = []

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
            // The files are compared by their path relative to the input they were found in (the
            // shard key), not as spelled: `corpus`, `./corpus/` and `/data/corpus` on another
            // machine are one corpus. The output names every file as the first manifest (shard
            // 0's, when there is one) spells it, so it reads as one run of that command.
            if m.allFiles.map(\.shardKey) != first.allFiles.map(\.shardKey) || m.recursive != first.recursive {
                let a = Set(first.allFiles.map(\.shardKey)), b = Set(m.allFiles.map(\.shardKey))
                let differing = a.symmetricDifference(b).sorted().prefix(5)
                let how = m.recursive != first.recursive ? ", one with --recursive and one without"
                    : differing.isEmpty ? ", the same files in another order" : "; e.g. " + differing.joined(separator: ", ")
                throw MergeError(message: "\(name) and \(theFirst) saw different inputs (\(first.allFiles.count) vs \(m.allFiles.count) files\(how)): the corpus changed between tasks, re-run every shard")
            }
        }
        count = first.shardCount
        total = first.allFiles.count
        for (_, m) in manifests {
            for u in m.unlistableFolders ?? [] where !unlistable.contains(where: { $0.folder == u.folder }) { unlistable.append(u) }
        }
        if total == 0 {
            throw MergeError(message: "\(directory): the run has no audio files (its inputs \(first.inputs.joined(separator: ", ")) held none): nothing to merge")
        }
        // What every stored result must say it was made with (as `analyze --skip-existing` checks).
        let expected = first.settings.provenance
        let byShard = Dictionary(manifests.map { ($0.manifest.shardIndex, $0.manifest) }, uniquingKeysWith: { a, _ in a })
        // Each shard's own entries, in its input order, consumed as the full list is walked.
        var cursor = [Int: Int]()
        let decoder = JSONDecoder()
        // The run's provenance (its settings.json), for the error records as analyze writes them.
        let provenance = (try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + ResultStore.settingsFileName)))
            .flatMap { try? decoder.decode(AnalysisProvenance.self, from: $0) }
        for (index, listed) in first.allFiles.enumerated() {
            let shard = Shard.owner(ofKey: listed.shardKey, count: count)
            guard let manifest = byShard[shard] else {
                missing.append(Missing(path: listed.path, shard: shard, reason: "the shard wrote no manifest: its task never ran or died before starting"))
                continue
            }
            // The file as the shard that owns it spelled it.
            let file = manifest.allFiles[index]
            let position = cursor[shard, default: 0]
            cursor[shard] = position + 1
            guard position < manifest.files.count, manifest.files[position].path == file.path else {
                throw MergeError(message: "\(ShardManifest.fileName(index: shard, count: count)) does not list \(file.path) where the file list puts it: the manifest was not written by this version or was edited")
            }
            let entry = manifest.files[position]
            if let error = entry.error {
                records.append(.failure(FileAnalysisFailure(file: listed.path, error: error, provenance: provenance)))
                continue
            }
            guard let key = entry.key else {
                missing.append(Missing(path: file.path, shard: shard, reason: manifest.complete ? "no result key in its manifest (its result could not be stored)" : "the shard started but did not finish"))
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
            // A result whose own record says other settings (edited or copied in) is not this
            // run's: the file fails, naming the setting, as --skip-existing would not reuse it.
            guard let made = result.provenance, made.sameSettings(as: expected) else {
                let differences = result.provenance.map { $0.differences(from: expected) } ?? ["it records no settings"]
                records.append(.failure(FileAnalysisFailure(file: listed.path, error: "its stored result \(resultPath) was made with other settings ("
                    + differences.joined(separator: ", ") + "); re-run " + (count == 1 ? "the analysis" : "shard \(shard) of \(count)") + " with --skip-existing",
                    provenance: provenance)))
                continue
            }
            guard result.fullScaleDBSPL == first.settings.fullScaleDBSPL, first.settings.fftSize.map({ $0 == result.fftSize }) ?? true,
                  first.settings.hop.map({ $0 == result.hop }) ?? true else {
                missing.append(Missing(path: file.path, shard: shard, reason: "its result \(resultPath) was analysed with other settings (another run wrote into the same folder)"))
                continue
            }
            result.file = listed.path
            records.append(.success(result))
        }
    }
}

extension ShardManifest.Settings {
    /// The provenance a result made with these settings by this build records.
    var provenance: AnalysisProvenance {
        let settings = AnalysisSettings(fftSize: fftSize, hop: hop, fullScaleDBSPL: fullScaleDBSPL,
                                        narrowBands: NarrowBandPolicy(rawValue: narrowBands) ?? .merge, maxChannels: maxChannels,
                                        unusableSamples: zeroUnusableSamples ? .zero : .reject)
        return AnalysisProvenance(bands: bands, range: range, settings: settings)
    }
}

extension AnalysisProvenance {
    /// Each setting as the words a person compares: its option and value
    /// (`["--bands", "octave"]`), in the order `analyze --help` lists them.
    var settingList: [(name: String, words: String)] {
        [("formatVersion", "result format \(formatVersion)"),
         ("bands", "--bands \(bands)"),
         ("range", "--range \(range)"),
         ("window", "window \(window)"),
         ("fftSize", "--fft-size \(fftSize.map(String.init) ?? "default")"),
         ("hop", "--hop \(hop.map(String.init) ?? "default")"),
         ("fullScaleDBSPL", "--full-scale-db-spl \(fullScaleDBSPL)"),
         ("narrowBands", "--narrow-bands \(narrowBands)"),
         ("maxChannels", "--max-channels \(maxChannels)"),
         ("unusableSamples", unusableSamples == "zero" ? "--zero-unusable-samples" : "unusable samples \(unusableSamples)")]
    }

    /// The settings in which this differs from any of `all` (the bands and range always).
    func settingWords(differingAmong all: [AnalysisProvenance]) -> [String] {
        let lists = all.map(\.settingList)
        return settingList.enumerated().filter { i, setting in
            setting.name == "bands" || setting.name == "range" || lists.contains { $0[i].words != setting.words }
        }.map(\.element.words)
    }

    /// Each setting in which this differs from `expected`: "--bands octave, not --bands third-octave".
    func differences(from expected: AnalysisProvenance) -> [String] {
        let theirs = expected.settingList
        let found = settingList.enumerated().filter { i, s in s.words != theirs[i].words }.map { i, s in "\(s.words), not \(theirs[i].words)" }
        return found.isEmpty ? ["another build's settings text"] : found
    }
}
