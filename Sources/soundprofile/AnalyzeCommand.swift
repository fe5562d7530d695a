import ArgumentParser
import Foundation
import SoundProfileDSP
import SoundProfileIO
import Synchronization

/// Set by SIGINT/SIGTERM; the batch stops taking new files and closes its output cleanly.
let interruptRequested = Atomic<Bool>(false)

/// `soundprofile analyze`: band levels and statistics of audio files.
struct AnalyzeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Band levels (Leq, L10/L50/L90, min, max in dB SPL) of audio files, in parallel.",
        discussion: """
        Inputs are files or directories (audio files inside; --recursive descends). Output order is the \
        input order whatever --jobs is. An unreadable file gives an error record and a line on stderr; \
        the rest still run. Exit status: 0 all files analysed, 1 some failed, 2 usage error, 130 interrupted \
        (the output written so far is complete and valid).
        """)

    @Argument(help: "Audio files or directories.")
    var inputs: [String]

    @Option(help: "Band layout: \(BandLayout.specHelp).")
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

    @Option(help: "Write the output to this file (atomically) instead of standard output.")
    var output: String?

    @Option(help: "Also store each file's analysis as DIR/<sha256 of the audio>.json (idempotent), and what this run (or shard) was asked to do as DIR/manifest/shard-I-of-N.json, for `soundprofile merge DIR`.")
    var outputDir: String?

    @Flag(help: "With --output-dir: reuse stored analyses of files whose content hash is already there.")
    var skipExisting = false

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
        let allFiles = try collectInputFiles(inputs, recursive: recursive)
        let shard = try self.shard.map { try Shard(parsing: $0) }
        let mine = shard?.select(allFiles) ?? allFiles
        let files = mine.map(\.path)
        let startedAt = ShardManifest.timestamp()
        if let outputDir {
            let start = manifest(shard: shard, all: allFiles, mine: mine, outcomes: nil, complete: false, startedAt: startedAt)
            try ShardManifest.checkSettings(start.settings, in: outputDir)
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            try start.write(to: outputDir)
        }
        let keys = ResultKeys()
        var errors: [Int: String] = [:]

        installInterruptHandlers()
        let sink = try OutputSink(path: output)
        let renderer = AnalysisRenderer(format: format)
        sink.write(renderer.header)
        let progress = ProgressLine(enabled: !quiet && isatty(STDERR_FILENO) == 1, files: files)

        var written = 0, failures = 0
        let outputDir = self.outputDir, skipExisting = self.skipExisting
        await withTaskGroup(of: (Int, AnalysisRecord).self) { group in
            var next = 0
            var ready: [Int: AnalysisRecord] = [:]
            func launch() {
                guard next < files.count, !interruptRequested.load(ordering: .relaxed) else { return }
                let index = next, path = files[index]
                next += 1
                group.addTask {
                    let record = analyseOne(path: path, settings: settings, outputDir: outputDir, skipExisting: skipExisting, progress: progress, keys: keys)
                    return (index, record)
                }
            }
            for _ in 0..<min(jobs, files.count) { launch() }
            while let (index, record) = await group.next() {
                ready[index] = record
                // Emit in input order as soon as the next record is complete.
                while let r = ready.removeValue(forKey: written) {
                    if case .failure(let f) = r {
                        failures += 1
                        errors[written] = f.error
                        progress.clear()
                        printError("soundprofile analyze: \(f.file): \(f.error)")
                    }
                    sink.write(renderer.render(r, index: written))
                    written += 1
                }
                progress.fileDone()
                launch()
            }
        }
        progress.clear()
        sink.write(renderer.footer(recordCount: written))
        try sink.finish()
        if let outputDir {
            let outcomes = files.indices.map { i in (key: i < written && errors[i] == nil ? keys.key(for: files[i]) : nil, error: errors[i]) }
            try manifest(shard: shard, all: allFiles, mine: mine, outcomes: outcomes, complete: written == files.count,
                         startedAt: startedAt).write(to: outputDir)
        }
        if interruptRequested.load(ordering: .relaxed) {
            printError("soundprofile analyze: interrupted after \(written) of \(files.count) files; the output holds those \(written), complete")
            throw ExitCode(130)
        }
        if files.isEmpty { printError("soundprofile analyze: no audio files found in \(inputs.joined(separator: ", "))") }
        if failures > 0 {
            printError("soundprofile analyze: \(failures) of \(files.count) files failed")
            throw ExitCode(1)
        }
    }
}

/// Analyses one file; never throws: a failure becomes an error record.
private func analyseOne(path: String, settings: AnalysisSettings, outputDir: String?, skipExisting: Bool, progress: ProgressLine, keys: ResultKeys) -> AnalysisRecord {
    do {
        var stored: String?
        if let outputDir {
            let hash = try contentHash(path: path)
            stored = outputDir + "/" + hash + ".json"
            keys.record(path: path, key: hash)
            if skipExisting, let stored, let data = FileManager.default.contents(atPath: stored),
               var previous = try? JSONDecoder().decode(FileAnalysisResult.self, from: data), previous.fullScaleDBSPL == settings.fullScaleDBSPL {
                previous.file = path
                progress.addFrames(seconds: previous.durationSeconds)
                return .success(previous)
            }
        }
        let last = FrameCounter()
        let reader = try AudioFileReader(path: path)
        let rate = Double(reader.format.sampleRate)
        let result = try FileAnalysis.analyze(reader: reader, settings: settings, progress: { frames in
            progress.addFrames(seconds: Double(frames - last.value) / rate)
            last.value = frames
        }, isCancelled: { interruptRequested.load(ordering: .relaxed) })
        if let stored {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            try writeAtomically(encoder.encode(result), to: stored)
        }
        return .success(result)
    } catch let error as AudioFileError {
        return .failure(FileAnalysisFailure(file: path, error: "\(error.reason.rawValue): \(error.detail)"))
    } catch {
        return .failure(FileAnalysisFailure(file: path, error: CLIMessage.reason(for: error, subject: path)))
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

/// The audio files an input names: the file itself, or the audio files in a directory
/// (sorted by path, so the order is the same on every machine).
func collectAudioFiles(_ input: String, recursive: Bool) throws -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory), isDirectory.boolValue else {
        return [input]  // a missing file becomes an error record, like any unreadable file
    }
    let audioExtensions: Set<String> = ["wav", "wave", "flac", "aif", "aiff", "aifc", "ogg", "oga", "opus", "caf", "w64", "rf64", "au", "snd", "mp3"]
    var found: [String] = []
    let base = input.hasSuffix("/") ? String(input.dropLast()) : input
    let entries = try FileManager.default.contentsOfDirectory(atPath: input).sorted()
    for name in entries where !name.hasPrefix(".") {
        let path = base + "/" + name
        var dir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &dir), dir.boolValue {
            if recursive { found += try collectAudioFiles(path, recursive: true) }
        } else if audioExtensions.contains((name as NSString).pathExtension.lowercased()) {
            found.append(path)
        }
    }
    return found
}

/// Standard output or an atomically written file. A file target is written to a temporary path
/// and renamed on ``finish()``, so readers never see a torn file.
final class OutputSink: @unchecked Sendable {
    private let handle: FileHandle
    private let path: String?
    private let temporary: String?

    init(path: String?) throws {
        self.path = path
        if let path {
            let dir = (path as NSString).deletingLastPathComponent
            let tmp = (dir.isEmpty ? "." : dir) + "/.\((path as NSString).lastPathComponent).partial-\(getpid())"
            guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
                throw ValidationError("--output '\(path)' cannot be written (directory missing or not writable)")
            }
            handle = h
            temporary = tmp
        } else {
            handle = FileHandle.standardOutput
            temporary = nil
        }
    }

    /// Writes one whole piece of output in one call.
    func write(_ text: String) {
        guard !text.isEmpty else { return }
        handle.write(Data(text.utf8))
    }

    func finish() throws {
        guard let path, let temporary else { return }
        try handle.close()
        if rename(temporary, path) != 0 {
            unlink(temporary)
            throw ValidationError("--output '\(path)': \(String(cString: strerror(errno)))")
        }
    }
}

/// The live progress line on a terminal: files done, audio hours, × real time, ETA.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let lock = Mutex<State>(State())
    private let totalFiles: Int
    private let totalSeconds: Double
    private let start = Date()

    struct State {
        var filesDone = 0
        var audioSeconds = 0.0
        var lastDraw = Date.distantPast
    }

    init(enabled: Bool, files: [String]) {
        self.enabled = enabled
        totalFiles = files.count
        // Audio duration from the headers, for the ETA; unreadable files count as zero.
        totalSeconds = enabled ? files.reduce(0) { $0 + ((try? AudioFileReader(path: $1).format.durationSeconds) ?? 0) } : 0
    }

    func addFrames(seconds: Double) {
        guard enabled else { return }
        lock.withLock { $0.audioSeconds += seconds }
        draw(force: false)
    }

    func fileDone() {
        guard enabled else { return }
        lock.withLock { $0.filesDone += 1 }
        draw(force: true)
    }

    func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    private func draw(force: Bool) {
        let line: String? = lock.withLock { s in
            let now = Date()
            guard force || now.timeIntervalSince(s.lastDraw) > 0.2 else { return nil }
            s.lastDraw = now
            let elapsed = max(now.timeIntervalSince(start), 1e-3)
            let speed = s.audioSeconds / elapsed
            // Headers may claim any duration: clamp the ETA (at most 99:59) so Int() cannot trap.
            let estimate = speed > 0 ? max(0, totalSeconds - s.audioSeconds) / speed : 0
            let remaining = estimate.isFinite ? min(estimate, 99 * 60 + 59) : 0
            return String(format: "\r\u{1B}[K%d/%d files, %.3f h audio, %.0f× real time, ETA %d:%02d",
                          s.filesDone, totalFiles, s.audioSeconds / 3600, speed, Int(remaining) / 60, Int(remaining) % 60)
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }
}

/// SIGINT and SIGTERM ask the batch to stop after the files in progress.
func installInterruptHandlers() {
    let handler: @convention(c) (Int32) -> Void = { _ in interruptRequested.store(true, ordering: .relaxed) }
    signal(SIGINT, handler)
    signal(SIGTERM, handler)
}

extension NarrowBandPolicy: ExpressibleByArgument {}
extension AnalysisOutputFormat: ExpressibleByArgument {}
