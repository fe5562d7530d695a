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
import Synchronization

/// Set by SIGINT/SIGTERM; the batch stops taking new files and closes its output cleanly.
let interruptRequested = Atomic<Bool>(false)

/// `soundprofile analyze`: band levels and statistics of audio files.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze", _superCommandName: SoundProfileCommand.directParseSuperCommand,
        abstract: "Band levels (Leq, L10/L50/L90, min, max in dB SPL) of audio files, in parallel.",
        discussion: """
        Inputs are files or directories (audio files inside; --recursive descends). Output order is the \
        input order whatever --jobs is. Every band row carries its index in the requested layout and its \
        nominal label ("1k"), and every record its provenance (tool, options, format version). A file that \
        cannot be analysed gets a line on stderr, a record in --errors FILE, and an error record in json, \
        jsonl and table output (no row in csv); the rest still run. A missing input stops the run before \
        anything is analysed (on every shard), and so do inputs with no audio file at all. A file named twice is \
        analysed once; a folder that cannot be listed is named and the rest goes on (exit 1). Unless --quiet, a closing line on stderr sums up the batch. \
        Exit status: 0 all files analysed, 1 some failed, an input is missing or empty, a folder cannot be listed \
        or a result cannot be stored, 2 usage error, \
        130 interrupted (the output holds the files finished before, complete and valid; none is marked failed).
        """)

    @Argument(help: "Audio files or directories.")
    var inputs: [String]

    @Option(help: "Band layout: \(BandLayout.specHelp).", completion: .list(["third-octave", "octave", "erb:", "log:", "custom:"]))
    var bands = "third-octave"

    @Option(help: "Frequency range LOW-HIGH in Hz; bands above fs/2 are dropped per file.")
    var range = "25-20000"

    @Option(help: "FFT length (even, 16…65536). Default: 4096 at 48 kHz, scaled with the sample rate.")
    var fftSize: Int?

    @Option(help: "Frame advance in samples (1…fft-size). Default: half the FFT length.")
    var hop: Int?

    @Option(help: "Calibration: the level in dB SPL of a signal whose RMS is 1.0 (0…200).")
    var fullScaleDbSpl: Double = 100

    @Option(help: "Bands narrower than the FFT bin spacing: merge or reject.")
    var narrowBands: NarrowBandPolicy = .merge

    @Option(help: "Output format: json, jsonl, csv or table.")
    var format: AnalysisOutputFormat = .table

    @Option(name: [.short, .long], help: "Write the output to this file (atomically; `-` is standard output, a device or FIFO is written into) instead of standard output.")
    var output: String?

    @Option(help: "Also store each file's analysis as DIR/settings-<key>/<sha256 of the audio>.json, keyed by the audio and every analysis setting (settings.json in that folder names them), and what this run (or shard) was asked to do as DIR/settings-<key>/manifest/shard-I-of-N.json, for `soundprofile merge DIR`. Runs with other settings coexist in DIR.")
    var outputDir: String?

    @Flag(help: "With --output-dir: reuse a stored analysis of the same audio made with exactly these settings.")
    var skipExisting = false

    @Option(help: "Also write one JSON record ({\"file\", \"error\"}) per file that could not be analysed to this file (JSON lines, atomically; empty when none failed).")
    var errors: String?

    @Flag(help: "Descend into subdirectories.")
    var recursive = false

    @Option(help: "Files analysed at once (default: all cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: ArgumentHelp("Process only shard I of N (0 ≤ I < N), chosen by a hash of each file's path relative to its input: stable across runs, machines and spellings of the input. 'auto' takes I and N from a Slurm job array or a Kubernetes Indexed Job.", discussion: "--shard auto reads \(Shard.environmentHelp).", valueName: "I/N|auto"))
    var shard: String?

    @Option(help: "The most channels a file may have (1…1024); a file with more gets an error record.")
    var maxChannels: Int = AnalysisSettings.defaultMaxChannels

    @Flag(help: "Analyse NaN, infinite and beyond-±1e9 samples as 0 and count them (zeroedSamples) instead of failing the file.")
    var zeroUnusableSamples = false

    @Flag(name: [.long, .short], help: "No progress line on stderr.")
    var quiet = false

    func validate() throws {
        guard (1...1024).contains(maxChannels) else {
            throw ValidationError("--max-channels \(maxChannels) is not allowed: it must be 1…1024")
        }
        guard jobs >= 1 else { throw ValidationError("--jobs \(jobs) is not allowed: it must be at least 1") }
        guard fullScaleDbSpl.isFinite, (0...200).contains(fullScaleDbSpl) else {
            throw ValidationError("--full-scale-db-spl \(fullScaleDbSpl) is not allowed: it must be 0…200 dB SPL")
        }
        if let n = fftSize, !(RealFFT.sizeRange.contains(n) && n % 2 == 0) {
            throw ValidationError("--fft-size \(n) is not allowed: it must be an even number from 16 to 65536")
        }
        if let h = hop {
            let allowed = fftSize.map { "1…\($0) (the FFT size)" } ?? "at least 1 and at most the FFT size (by default 4096 at 48 kHz, scaled with the sample rate)"
            guard h >= 1, h <= (fftSize ?? 65536) else { throw ValidationError("--hop \(h) is not allowed: it must be \(allowed)") }
        }
        _ = try parseBandLayout(spec: bands, range: range)
        if let shard { _ = try Shard(parsing: shard) }
        if skipExisting, outputDir == nil { throw ValidationError("--skip-existing needs --output-dir DIR") }
    }

    func run() async throws {
        let layout = try parseBandLayout(spec: bands, range: range)
        let settings = AnalysisSettings(layout: layout, fftSize: fftSize, hop: hop, fullScaleDBSPL: fullScaleDbSpl, narrowBands: narrowBands,
                                        maxChannels: maxChannels, unusableSamples: zeroUnusableSamples ? .zero : .reject)
        let provenance = AnalysisProvenance(bands: bands, range: range, settings: settings)
        let shard = try self.shard.map { try Shard(parsing: $0) }
        // A missing input stops the run before anything is chosen or analysed, on every shard
        // alike: otherwise the one shard that owns its name fails and the others succeed.
        let missing = inputs.filter { $0 != StandardInput.name && !PathText.exists($0) }  // `-` is standard input
        if !missing.isEmpty {
            for m in missing { printError("soundprofile analyze: \(m): not found (no such file or folder)") }
            printError("soundprofile analyze: \(missing.count) of \(inputs.count) input\(inputs.count == 1 ? "" : "s") do\(missing.count == 1 ? "es" : "") not exist; nothing analysed"
                       + (shard.map { " (shard \($0.index)/\($0.count); every shard stops the same way)" } ?? ""))
            throw ExitCode(1)
        }
        let collected = collectInputs(inputs, recursive: recursive)
        reportWalk(collected)
        let allFiles = collected.files
        if allFiles.isEmpty {
            // An empty corpus (an empty folder, a mount point with nothing mounted) is a failure
            // on every shard alike, not a run that succeeds with nothing in it.
            let shardNote = shard.map { " (shard \($0.index)/\($0.count); every shard stops the same way)" } ?? ""
            let hasSubfolders = inputs.contains { input in
                guard case .success(let names) = listFolder(input) else { return false }
                return names.contains { !$0.hasPrefix(".") && PathText.isDirectory(input + "/" + $0) }
            }
            let hint = recursive || !hasSubfolders ? "" : "; without --recursive, subfolders are not searched"
            if !collected.problems.unlistable.isEmpty {
                printError("soundprofile analyze: no audio files could be listed; nothing analysed\(shardNote)")
            } else if inputs.count == 1 {
                printError("soundprofile analyze: \(inputs[0]): no audio files in it (an empty folder, or nothing mounted there?)\(hint); nothing analysed\(shardNote)")
            } else {
                printError("soundprofile analyze: no audio files in any of the \(inputs.count) inputs (\(inputs.joined(separator: ", ")))\(hint); nothing analysed\(shardNote)")
            }
            throw ExitCode(1)
        }
        // No output may be an input (nor both outputs one file): checked before anything is written.
        try refuseUnsafeOutputs([("--output", output), ("--errors", errors)], inputs: allFiles.map(\.path))
        let mine = shard?.select(allFiles) ?? allFiles
        let files = mine.map(\.path)
        let startedAt = ShardManifest.timestamp()
        // Results are stored per set of settings: OUTPUT-DIR/settings-<key>/<sha256 of the audio>.json.
        let store = outputDir.map { ResultStore(root: $0, provenance: provenance) }
        // Both outputs open (as temporary files) before anything is stored; on any failure
        // before the batch starts, neither is left behind.
        let sink = try OutputSink(path: output)
        var opened: OutputSink?
        do {
            opened = try errors.map { try OutputSink(path: $0, option: "--errors") }
            if let store {
                let start = manifest(shard: shard, all: allFiles, mine: mine, outcomes: nil, complete: false, startedAt: startedAt,
                                     unlistable: collected.problems.unlistable)
                try ShardManifest.checkSettings(start.settings, in: store.folder)
                try store.prepare()
                try start.write(to: store.folder)
            }
        } catch {
            sink.discard()
            opened?.discard()
            throw error
        }
        let errorSink = opened
        let keys = ResultKeys()
        let skipExisting = self.skipExisting

        installInterruptHandlers()
        let renderer = AnalysisRenderer(format: format)
        sink.write(renderer.header)
        let progress = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) == 1, files: files)
        var summary = BatchSummary()

        // Per file of `files`: its outcome once known (a cancelled file stays nil).
        var outcomes = [AnalysisRecord?](repeating: nil, count: files.count)
        var written = 0
        var stopped = false  // a file was cancelled: nothing after it is printed, to keep input order
        await withTaskGroup(of: (Int, FileOutcome).self) { group in
            var next = 0
            var ready: [Int: FileOutcome] = [:]
            func launch() {
                guard next < files.count, !interruptRequested.load(ordering: .relaxed) else { return }
                let index = next, path = files[index]
                next += 1
                group.addTask {
                    (index, analyseOne(path: path, settings: settings, provenance: provenance, store: store, skipExisting: skipExisting,
                                       progress: progress, keys: keys))
                }
            }
            for _ in 0..<min(jobs, files.count) { launch() }
            while let (index, outcome) = await group.next() {
                if case .done(let record, _, _) = outcome { outcomes[index] = record }
                ready[index] = outcome
                // Emit in input order as soon as the next record is complete.
                while !stopped, let r = ready.removeValue(forKey: written) {
                    guard case .done(let record, let reused, let notStored) = r else {
                        stopped = true  // interrupted while this file was being analysed: not an error, not output
                        break
                    }
                    summary.add(record, reused: reused)
                    if let notStored {
                        progress.clear()
                        printError("soundprofile analyze: \(notStored.path): cannot store the analysis of \(files[written]) (\(notStored.reason)); it is in the output, not in --output-dir")
                        summary.notStored += 1
                    }
                    if case .success(let r) = record, let note = r.note {
                        progress.clear()
                        printError("soundprofile analyze: \(r.file): \(note)")
                    }
                    if case .failure(let f) = record {
                        progress.clear()
                        printError("soundprofile analyze: \(f.file): \(f.error)")
                        errorSink?.write(AnalysisRenderer(format: .jsonl).render(record, index: 0))
                    }
                    sink.write(renderer.render(record, index: written))
                    written += 1
                }
                progress.fileDone()
                launch()
            }
        }
        progress.clear()
        sink.write(renderer.footer(recordCount: written))
        try sink.finish()
        try errorSink?.finish()
        if let store {
            // Every file that finished has its key or error, also past a cancelled one.
            var recorded: [(key: String?, error: String?)] = []
            for (i, outcome) in outcomes.enumerated() {
                switch outcome {
                case .success?: recorded.append((key: keys.key(for: files[i]), error: nil))
                case .failure(let f)?: recorded.append((key: nil, error: f.error))
                case nil: recorded.append((key: nil, error: nil))
                }
            }
            try manifest(shard: shard, all: allFiles, mine: mine, outcomes: recorded, complete: written == files.count,
                         startedAt: startedAt, unlistable: collected.problems.unlistable).write(to: store.folder)
        }
        if !quiet { printError("soundprofile analyze: " + summary.line(elapsed: progress.elapsed)) }
        if interruptRequested.load(ordering: .relaxed) {
            printError("soundprofile analyze: interrupted after \(written) of \(files.count) files; the output holds those \(written), complete")
            throw ExitCode(130)
        }
        if files.isEmpty, let shard {
            printError("soundprofile analyze: shard \(shard.index)/\(shard.count) owns none of the \(allFiles.count) audio files in \(inputs.joined(separator: ", "))")
        }
        var failing = false
        if summary.failed > 0 {
            printError("soundprofile analyze: \(summary.failed) of \(files.count) files failed")
            failing = true
        }
        if summary.notStored > 0 {
            printError("soundprofile analyze: \(summary.notStored) of \(files.count) results could not be stored in \(outputDir ?? "--output-dir") (named above; they are in the output); "
                       + "run again with --skip-existing once the folder is writable")
            failing = true
        }
        let unlistable = collected.problems.unlistable.count
        if unlistable > 0 {
            printError("soundprofile analyze: \(unlistable) folder\(unlistable == 1 ? "" : "s") could not be listed (named above); \(unlistable == 1 ? "its" : "their") audio files are not analysed")
            failing = true
        }
        if failing { throw ExitCode(1) }
    }
}

extension AnalyzeCommand {
    /// Names on stderr what walking the inputs met: folders that could not be listed (the run
    /// goes on and exits 1), symbolic-link loops not followed, and files named more than once
    /// (analysed once). Printed also with --quiet: they are about the inputs, not progress.
    func reportWalk(_ collected: InputCollection) {
        for u in collected.problems.unlistable {
            printError("soundprofile analyze: \(u.folder): cannot list: \(u.reason)")
        }
        for l in collected.problems.loops {
            printError("soundprofile analyze: \(l.link): not followed: it leads back to \(l.target), a folder it is inside (a loop)")
        }
        if let first = collected.duplicates.first {
            let n = collected.duplicates.count
            printError("soundprofile analyze: \(n) file\(n == 1 ? " is" : "s are") named more than once (e.g. \(first.skipped) is \(first.kept)): each is analysed once, as first named")
        }
    }
}

/// What became of one file: its record (and whether it was reused from the store), or nothing
/// because the run was interrupted while it was being analysed.
private enum FileOutcome: Sendable {
    /// `notStored`: the analysis succeeded but could not be stored in `--output-dir`.
    case done(AnalysisRecord, reused: Bool, notStored: StoreFailure? = nil)
    case cancelled
}

/// A result that could not be written to its place in `--output-dir`, and why.
struct StoreFailure: Sendable {
    var path: String
    var reason: String
}

/// Analyses one file; never throws: a failure becomes an error record, an interruption `.cancelled`.
private func analyseOne(path: String, settings: AnalysisSettings, provenance: AnalysisProvenance, store: ResultStore?, skipExisting: Bool,
                        progress: ProgressLine, keys: ResultKeys) -> FileOutcome {
    do {
        var stored: (path: String, key: String)?
        if let store {
            let hash = try contentHash(path: path)
            stored = (store.path(forKey: hash), hash)
            if skipExisting, let previous = store.reusable(key: hash) {
                keys.record(path: path, key: hash)
                var result = previous
                result.file = path
                progress.addReused(seconds: result.durationSeconds)
                return .done(.success(result), reused: true)
            }
        }
        let last = FrameCounter()
        let reader = try AudioFileReader(path: path)
        let rate = Double(reader.format.sampleRate)
        var result = try FileAnalysis.analyze(reader: reader, settings: settings, progress: { frames in
            progress.addFrames(seconds: Double(frames - last.value) / rate)
            last.value = frames
        }, isCancelled: { interruptRequested.load(ordering: .relaxed) })
        result.provenance = provenance
        if let stored {
            // A result that cannot be stored is still a result: it goes to the output, the
            // manifest gets no key for it (merge names it), and the run exits 1.
            do {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                try writeAtomically(encoder.encode(result), to: stored.path)
                keys.record(path: path, key: stored.key)
            } catch {
                var reason = (error as? CLIFileError)?.reason ?? CLIMessage.reason(for: error, subject: stored.path)
                if reason.hasPrefix("cannot write: ") { reason = String(reason.dropFirst("cannot write: ".count)) }
                return .done(.success(result), reused: false, notStored: StoreFailure(path: stored.path, reason: reason))
            }
        }
        return .done(.success(result), reused: false)
    } catch is CancellationError {
        return .cancelled
    } catch let error as AudioFileError {
        return .done(.failure(FileAnalysisFailure(file: path, error: CLIMessage.reason(for: error, subject: path), provenance: provenance)),
                     reused: false)
    } catch {
        return .done(.failure(FileAnalysisFailure(file: path, error: CLIMessage.reason(for: error, subject: path), provenance: provenance)),
                     reused: false)
    }
}

/// Frames seen so far by one file's progress callback (called from that file's task only).
private final class FrameCounter: @unchecked Sendable {
    var value: Int64 = 0
}

/// SHA-256 of a file's bytes (see `SHA256Hasher.hex(ofFileAt:)`).
func contentHash(path: String) throws -> String {
    try SHA256Hasher.hex(ofFileAt: path)
}

/// The file extensions `analyze` picks up in a folder (any case).
let audioExtensions: Set<String> = ["wav", "wave", "flac", "aif", "aiff", "aifc", "ogg", "oga", "opus", "caf", "w64", "rf64", "au", "snd", "mp3"]

/// Files and folders are told apart by device and inode (see OutputPlan.swift), whatever path leads to them.
extension FileIdentity: Hashable {
    func hash(into hasher: inout Hasher) {
        hasher.combine(device)
        hasher.combine(inode)
    }
}

/// What walking the inputs found besides the audio files: folders that could not be listed,
/// and symbolic links not followed because they lead back into a folder they are inside.
struct InputWalkProblems {
    /// A folder that could not be listed, and why ("permission denied").
    var unlistable: [(folder: String, reason: String)] = []
    /// A symbolic link to a folder it is inside, and that folder.
    var loops: [(link: String, target: String)] = []
}

/// The audio files an input names: the file itself, or the audio files in a directory
/// (sorted by path, so the order is the same on every machine). A folder that cannot be listed
/// and a symbolic link back to a folder above it (a loop, which would never end) are left out
/// and noted in `problems`; the rest of the walk goes on.
func collectAudioFiles(_ input: String, recursive: Bool, problems: inout InputWalkProblems) -> [String] {
    guard PathText.isDirectory(input) else {
        return [input]  // a missing file becomes an error record, like any unreadable file
    }
    var found: [String] = []
    var inside: [FileIdentity: String] = [:]  // the folders being walked (this one and those above it)
    func walk(_ folder: String) {
        let identity = FileIdentity(path: folder)
        if let identity { inside[identity] = folder }
        defer { if let identity { inside[identity] = nil } }
        let names: [String]
        switch listFolder(folder) {
        case .success(let n): names = n
        case .failure(let reason):
            problems.unlistable.append((folder: folder, reason: reason))
            return
        }
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = base + "/" + name
            if PathText.isDirectory(path) {
                guard recursive else { continue }
                if let id = FileIdentity(path: path), let above = inside[id] {
                    problems.loops.append((link: path, target: above))
                    continue
                }
                walk(path)
            } else if audioExtensions.contains(PathText.pathExtension(name).lowercased()) {
                found.append(path)
            }
        }
    }
    walk(input)
    return found
}

/// The names in a folder (without `.` and `..`), or why it cannot be listed.
private func listFolder(_ folder: String) -> ListResult {
    guard let dir = opendir(folder) else {
        return .failure(fileErrorReason(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)))
    }
    defer { closedir(dir) }
    var names: [String] = []
    errno = 0
    while let entry = readdir(dir) {
        let name = withUnsafePointer(to: entry.pointee.d_name) {
            $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
        }
        if name != ".", name != ".." { names.append(name) }
        errno = 0
    }
    if errno != 0 { return .failure(fileErrorReason(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))) }
    return .success(names)
}

private enum ListResult {
    case success([String])
    case failure(String)
}

/// Standard output or an atomically written file. A file target is written to a temporary path
/// and renamed on ``finish()``, so readers never see a torn file.
final class OutputSink: @unchecked Sendable {
    private let handle: FileOutput
    private let path: String?
    private let temporary: String?
    private let option: String
    /// Whether `handle` is a device or FIFO opened directly (closed by ``finish()``).
    private var isStream = false

    /// Opens the output: standard output for nil or `-`, else a temporary file next to `path`.
    /// - Throws: ``CLIError`` naming the path when it is a folder or its folder cannot take a file.
    init(path given: String?, option: String = "--output") throws {
        let path = given == StandardInput.name ? nil : given  // `-`: standard output
        self.option = option
        if let path, AudioFileWriter.isStreamTarget(path) {
            // A device or FIFO (/dev/null, /dev/stdout, a named pipe) is written into, never
            // replaced by a renamed file.
            guard let h = FileOutput(creatingAtPath: path) else {
                throw CLIError(path, "cannot be written (\(option)): \(String(cString: strerror(errno)).lowercased())")
            }
            self.path = nil
            handle = h
            temporary = nil
            isStream = true
            return
        }
        self.path = path
        if let path {
            if PathText.isDirectory(path) { throw CLIError(path, "is a folder; \(option) names the file to write") }
            let dir = PathText.deletingLastComponent(path)
            let tmp = (dir.isEmpty ? "." : dir) + "/.\(PathText.lastComponent(path)).partial-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            guard let h = FileOutput(creatingAtPath: tmp) else {
                let reason = errno == ENOENT ? "its folder \(dir.isEmpty ? "." : dir) does not exist" : String(cString: strerror(errno)).lowercased()
                throw CLIError(path, "cannot be written (\(option)): \(reason)")
            }
            handle = h
            temporary = tmp
        } else {
            handle = FileOutput.standardOutput
            temporary = nil
        }
    }

    /// The first write error (errno) to a file target: such a file is never put in place.
    private var writeError: Int32?

    /// Writes one whole piece of output in one call (from one task at a time).
    func write(_ text: String) {
        guard !text.isEmpty else { return }
        if !handle.write(text), temporary != nil, writeError == nil { writeError = errno }
    }

    /// Closes and removes the temporary file: nothing is written to the target.
    func discard() {
        guard let temporary else { return }
        try? handle.close()
        unlink(temporary)
    }

    /// Puts a file target in place: flushed to disk, then renamed over `path` in one step. A
    /// write that failed (a full disk) leaves `path` as it was.
    func finish() throws {
        if isStream {
            handle.close()
            return
        }
        guard let path, let temporary else { return }
        if writeError == nil, fsync(handle.descriptor) != 0 { writeError = errno }
        if !handle.close(), writeError == nil { writeError = errno }
        if let writeError {
            unlink(temporary)
            throw CLIError(path, "cannot be written (\(option)): \(String(cString: strerror(writeError)).lowercased()); nothing was put in its place")
        }
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno)).lowercased()
            unlink(temporary)
            throw CLIError(path, "cannot be written (\(option)): \(reason)")
        }
    }
}

/// The live progress line on a terminal: "12/200 files, 12.4 min of audio, 820× real time, ETA 0:42".
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = Mutex<State>(State())
    private let totalFiles: Int
    private let totalSeconds: Double
    private let start = Date()

    struct State {
        var filesDone = 0
        var audioSeconds = 0.0
        var reusedSeconds = 0.0
        var lastDraw = Date.distantPast
    }

    /// The line's text: "12/200 files, 12.4 min of audio, 820× real time, ETA 0:42" (the ETA
    /// from the audio still to go at the speed so far; "ETA –" until there is a speed). The
    /// speed counts only audio analysed, not the `reusedSeconds` of results reused from
    /// `--output-dir` (which are part of `audioSeconds`).
    static func text(filesDone: Int, totalFiles: Int, audioSeconds: Double, reusedSeconds: Double = 0, totalSeconds: Double,
                     elapsed: Double) -> String {
        let speed = max(0, audioSeconds - reusedSeconds) / max(elapsed, 1e-3)
        let eta = speed > 0 ? "ETA " + etaClock(max(0, totalSeconds - audioSeconds) / speed) : "ETA –"
        return "\(filesDone)/\(totalFiles) files, \(readableDuration(audioSeconds)) of audio, \(readableSpeed(speed)) real time, \(eta)"
    }

    init(enabled: Bool, files: [String]) {
        self.enabled = enabled
        totalFiles = files.count
        // Audio duration from the headers, for the ETA; unreadable files count as zero.
        totalSeconds = enabled ? files.reduce(0) { $0 + ((try? AudioFileReader(path: $1).format.durationSeconds) ?? 0) } : 0
    }

    /// Seconds since the batch started.
    var elapsed: Double { Date().timeIntervalSince(start) }

    func addFrames(seconds: Double) {
        guard enabled else { return }
        lock.withLock { $0.audioSeconds += seconds }
        draw(force: false)
    }

    /// A result reused from `--output-dir`: its audio counts as done but not towards the speed.
    func addReused(seconds: Double) {
        guard enabled else { return }
        lock.withLock {
            $0.audioSeconds += seconds
            $0.reusedSeconds += seconds
        }
        draw(force: false)
    }

    func fileDone() {
        guard enabled else { return }
        lock.withLock { $0.filesDone += 1 }
        draw(force: true)
    }

    func clear() {
        guard enabled else { return }
        FileOutput.standardError.write("\r\u{1B}[K")
    }

    private func draw(force: Bool) {
        let line: String? = lock.withLock { s in
            let now = Date()
            guard force || now.timeIntervalSince(s.lastDraw) > 0.2 else { return nil }
            s.lastDraw = now
            return "\r\u{1B}[K" + Self.text(filesDone: s.filesDone, totalFiles: totalFiles, audioSeconds: s.audioSeconds,
                                               reusedSeconds: s.reusedSeconds, totalSeconds: totalSeconds, elapsed: now.timeIntervalSince(start))
        }
        if let line { FileOutput.standardError.write(line) }
    }
}

/// SIGINT and SIGTERM ask the batch to stop after the files in progress.
func installInterruptHandlers() {
    let handler: @convention(c) (Int32) -> Void = { _ in interruptRequested.store(true, ordering: .relaxed) }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
    // A parent may start us with these signals blocked (the mask is inherited through exec; test
    // runners and some schedulers do it): unblocked here, or Ctrl-C would never reach the handler.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    sigaddset(&set, SIGTERM)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
}

extension NarrowBandPolicy: ArgumentEnum {}
extension AnalysisOutputFormat: ArgumentEnum {}
