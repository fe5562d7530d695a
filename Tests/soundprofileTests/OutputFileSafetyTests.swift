import Foundation
import Testing

/// No command writes over a file it reads, two outputs never share a file, `-` is standard
/// output wherever an output file is named, and an interrupted `process` leaves only finished,
/// complete files (issue 13, items 2 and 5, as a second audit found them: `analyze --output`
/// replaced an input WAV with its table, `process --overwrite` replaced its own profile,
/// `--output X --errors X` interleaved both into one corrupt file, `merge --output` could replace
/// a manifest, and Ctrl-C during `process` left a 5 MB `.partial` file and lost the report).
@Suite struct OutputFileSafetyTests {
    static let tone = CLI.fixture("audio/tone-1k-48k.wav")
    static let profile = CLI.fixture("fitting/golden/N3-nal-r.json")

    func copy(_ source: String, to relative: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: source, toPath: url.path)
        return url.path
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Every entry under `dir`, relative and sorted, hidden temporary files included.
    func listing(_ dir: URL) -> [String] { (FileManager.default.subpaths(atPath: dir.path) ?? []).sorted() }

    @Test func analyzeNeverWritesOverAnInput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try copy(Self.tone, to: "corpus/tone.wav", in: dir)
        let other = try copy(CLI.fixture("audio/speech-espeak-16k.wav"), to: "corpus/speech.wav", in: dir)
        let before = try bytes(input)
        // The input itself, an input inside an analysed folder, a hard link and a symbolic link to it.
        try FileManager.default.linkItem(atPath: input, toPath: dir.appendingPathComponent("hard.wav").path)
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("soft.wav").path, withDestinationPath: input)
        let cases: [([String], String)] = [
            ([input, "--output", input], "--output"),
            ([dir.appendingPathComponent("corpus").path, "--output", input, "--format", "json"], "--output"),
            ([input, "--errors", input], "--errors"),
            ([input, "--output", dir.appendingPathComponent("hard.wav").path], "--output"),
            ([other, dir.appendingPathComponent("soft.wav").path, "--output", other, "--format", "csv"], "--output"),
        ]
        for (args, option) in cases {
            let r = try CLI.run(["analyze", "-q"] + args)
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("soundprofile analyze: ") && r.stderr.contains(": is the input ") && r.stderr.contains("\(option) must name another file"), "\(r.stderr)")
            #expect(r.stdout.isEmpty, "nothing analysed: \(r.stdout)")
        }
        #expect(try bytes(input) == before, "the input is untouched")
        #expect(listing(dir) == ["corpus", "corpus/speech.wav", "corpus/tone.wav", "hard.wav", "soft.wav"], "no temporary file left")
    }

    @Test func outputAndErrorsMustBeTwoFiles() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let same = dir.appendingPathComponent("same.csv").path
        for (errorsPath, command) in [(same, "analyze"), (dir.path + "/./same.csv", "analyze")] {
            let r = try CLI.run([command, CLI.fixture("crash/nan-48k-float.wav"), Self.tone, "--format", "csv", "--output", same, "--errors", errorsPath])
            #expect(r.status == 2, "\(r.stderr)")
            #expect(r.stderr.contains("is given as both --output and --errors; each output needs a file of its own"), "\(r.stderr)")
        }
        #expect(listing(dir).isEmpty, "nothing written")
        // Two files: the CSV holds only rows, the errors file only the failure.
        let csv = dir.appendingPathComponent("rows.csv").path, errors = dir.appendingPathComponent("errors.jsonl").path
        let r = try CLI.run(["analyze", CLI.fixture("crash/nan-48k-float.wav"), Self.tone, "--format", "csv", "--output", csv, "--errors", errors, "-q"])
        #expect(r.status == 1)
        let rows = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
        #expect(rows.count > 1 && rows.dropFirst().allSatisfy { $0.hasPrefix(Self.tone + ",") })
        let failures = try String(contentsOfFile: errors, encoding: .utf8).split(separator: "\n")
        #expect(failures.count == 1 && failures[0].contains("nan-48k-float.wav"))
    }

    @Test func outputProblemsAreNamedBeforeTheBatchRuns() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("folder"), withIntermediateDirectories: true)
        let missing = dir.appendingPathComponent("nodir/x.csv").path
        let r1 = try CLI.run(["analyze", Self.tone, "-q", "--output", missing])
        #expect(r1.status == 1 && r1.stderr == "soundprofile analyze: \(missing): cannot be written (--output): its folder \(dir.path)/nodir does not exist\n", "\(r1.stderr)")
        let folder = dir.appendingPathComponent("folder").path
        let r2 = try CLI.run(["analyze", Self.tone, "-q", "--errors", folder])
        #expect(r2.status == 1 && r2.stderr == "soundprofile analyze: \(folder): is a folder; --errors names the file to write\n", "\(r2.stderr)")
        // Neither is a usage error: no usage text.
        #expect(!r1.stderr.contains("Usage:") && !r2.stderr.contains("Usage:"))
        #expect(listing(dir) == ["folder"])
    }

    @Test func aDashIsStandardOutputForEveryOutputOption() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let analyze = try CLI.run(["analyze", Self.tone, "-q", "--format", "csv", "--output", "-"], in: dir)
        #expect(analyze.status == 0 && analyze.stdout.hasPrefix("file,"), "\(analyze.stderr)")
        // -o is --output for every command that has one.
        let short = try CLI.run(["analyze", Self.tone, "-q", "--format", "csv", "-o", "-"], in: dir)
        #expect(short.status == 0 && short.stdout == analyze.stdout, "\(short.stderr)")
        let fit = try CLI.run(["fit", "--audiogram", CLI.fixture("audiograms/N3.json"), "--output", "-"], in: dir)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect((try JSONSerialization.jsonObject(with: fit.stdoutData) as? [String: Any])?["ears"] != nil)
        let plot = try CLI.run(["plot", "audiogram", CLI.fixture("audiograms/N3.json"), "--output", "-"], in: dir)
        #expect(plot.status == 0 && plot.stdout.contains("<svg"), "\(plot.stderr)")
        #expect(listing(dir).isEmpty, "no file named '-'")
        // verify's standard output carries the report, so its picture cannot go there.
        let verify = try CLI.run(["verify", "--profile", Self.profile, "--plot", "-"], in: dir)
        #expect(verify.status == 2 && verify.stderr.contains("--plot - is not allowed"), "\(verify.stderr)")
    }

    /// Runs `args` with a named pipe for the output, read while the command runs: returns its
    /// status, what came through the pipe, and whether the pipe is still a pipe afterwards. (A
    /// FIFO rather than /dev/null: a writer that renames over its target would replace
    /// /dev/null itself when run as root.)
    func runIntoFIFO(_ args: (String) -> [String], in dir: URL) throws -> (status: Int32, data: Data, stillFIFO: Bool) {
        let fifo = dir.appendingPathComponent("pipe-\(UUID().uuidString)").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let fd = open(fifo, O_RDONLY | O_NONBLOCK)  // a reader first, so the writer's open does not wait
        #expect(fd >= 0)
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = args(fifo)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n > 0 { data.append(contentsOf: buffer[0..<n]); continue }
            if !process.isRunning { break }
            usleep(2000)
        }
        process.waitUntilExit()
        while case let n = read(fd, &buffer, buffer.count), n > 0 { data.append(contentsOf: buffer[0..<n]) }
        close(fd)
        var info = stat()
        let stillFIFO = lstat(fifo, &info) == 0 && (info.st_mode & S_IFMT) == S_IFIFO
        return (process.terminationStatus, data, stillFIFO)
    }

    /// Every output option writes into a device or FIFO (`--output /dev/null`) instead of
    /// renaming a file over it: as root, a rename replaced /dev/null with a regular file.
    @Test func devicesAndPipesAreWrittenIntoNotReplaced() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let audiogram = CLI.fixture("audiograms/N3.json")
        let cases: [(String, (String) -> [String], String)] = [
            ("analyze --output", { ["analyze", Self.tone, "-q", "--format", "csv", "--output", $0] }, "file,"),
            ("analyze --errors", { ["analyze", CLI.fixture("crash/nan-48k-float.wav"), "-q", "--format", "csv", "--errors", $0] }, "\"error\""),
            ("fit --output", { ["fit", "--audiogram", audiogram, "--output", $0] }, "\"ears\""),
            ("plot --output", { ["plot", "audiogram", audiogram, "--output", $0] }, "<svg"),
            ("verify --plot", { ["verify", "--profile", Self.profile, "--plot", $0] }, "<svg"),
            ("process -o", { ["process", Self.tone, "--profile", Self.profile, "-o", $0] }, "RIFF"),
        ]
        for (name, args, expected) in cases {
            let r = try runIntoFIFO(args, in: dir)
            #expect(r.stillFIFO, "\(name) replaced the pipe")
            #expect(String(decoding: r.data.prefix(4096), as: UTF8.self).contains(expected), "\(name): \(r.data.count) bytes came through (status \(r.status))")
        }
        #expect(listing(dir).allSatisfy { $0.hasPrefix("pipe-") }, "no temporary file left: \(listing(dir))")
    }

    @Test func mergeNeverWritesIntoTheRunItReads() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let results = dir.appendingPathComponent("results").path
        for i in 0..<2 {
            let r = try CLI.run(["analyze", CLI.fixture("audio"), "--shard", "\(i)/2", "--output-dir", results, "--bands", "octave", "-q", "--format", "csv"])
            #expect(r.status == 0, "\(r.stderr)")
        }
        let run = try #require(try FileManager.default.contentsOfDirectory(atPath: results).first { $0.hasPrefix("settings-") })
        let manifest = "\(results)/\(run)/manifest/shard-0-of-2.json"
        let before = try bytes(manifest)
        for target in [manifest, "\(results)/\(run)/merged.csv", "\(results)/\(run)/manifest/errors.jsonl"] {
            for option in ["--output", "--errors"] {
                let r = try CLI.run(["merge", results, "--format", "csv", option, target])
                #expect(r.status == 1, "\(option) \(target): \(r.stderr)")
                #expect(r.stderr.contains("which this command reads; \(option) must name a file outside it"), "\(r.stderr)")
            }
        }
        #expect(try bytes(manifest) == before)
        // Outside the run, the merge is written, and it still reads every manifest.
        let merged = dir.appendingPathComponent("corpus.csv").path
        let r = try CLI.run(["merge", results, "--format", "csv", "--output", merged])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: merged, encoding: .utf8).split(separator: "\n").count > 1)
    }

    @Test func processNeverWritesOverItsProfile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try copy(Self.profile, to: "p.json", in: dir)
        let before = try bytes(profile)
        let r1 = try CLI.run(["process", Self.tone, "--profile", profile, "-o", profile, "--overwrite"])
        #expect(r1.status == 1 && r1.stderr.contains("\(profile): is the input \(profile)"), "\(r1.stderr)")
        // Through --output-dir: a profile that happens to have the output's name.
        let named = try copy(Self.profile, to: "out/tone-1k-48k.wav", in: dir)
        let r2 = try CLI.run(["process", Self.tone, "--profile", named, "--output-dir", dir.appendingPathComponent("out").path, "--overwrite"])
        #expect(r2.status == 1 && r2.stderr.contains("would overwrite \(named), which this run reads (the profile)"), "\(r2.stderr)")
        #expect(try bytes(profile) == before && (try bytes(named)) == before)
        #expect(listing(dir) == ["out", "out/tone-1k-48k.wav", "p.json"])
    }

    @Test func processWritesIntoDevicesAndRefusesBadTargetsUpFront() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let null = try CLI.run(["process", Self.tone, "--profile", Self.profile, "-o", "/dev/null"])
        #expect(null.status == 0 && null.stdout.contains("→ /dev/null"), "\(null.stderr)")
        // A dangling symbolic link is something that exists: refused before any processing.
        let link = dir.appendingPathComponent("dangling.wav").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: dir.appendingPathComponent("nowhere").path)
        let r1 = try CLI.run(["process", Self.tone, "--profile", Self.profile, "-o", link])
        #expect(r1.status == 1 && r1.stderr.contains("\(link): exists already") && !r1.stdout.contains("→"), "\(r1.stdout)\(r1.stderr)")
        // An --output-dir that is a file.
        let file = try copy(Self.profile, to: "afile", in: dir)
        let r2 = try CLI.run(["process", Self.tone, "--profile", Self.profile, "--output-dir", file])
        #expect(r2.status == 1 && r2.stderr == "soundprofile process: \(file): is a file, not a folder; --output-dir names the folder to write into\n", "\(r2.stderr)")
        #expect(listing(dir) == ["afile", "dangling.wav"])
    }

    /// Ctrl-C during a batch: the file in progress is dropped (no `.partial` left), the finished
    /// ones are complete, their report is printed, and the exit status is 130.
    @Test func interruptedProcessLeavesOnlyFinishedFiles() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var inputs: [String] = []
        for i in 0..<6 {
            let path = dir.appendingPathComponent("in/long-\(i).wav").path
            try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("in").path, withIntermediateDirectories: true)
            try writeNoiseWAV(to: path, seconds: 90, seed: UInt64(i + 1))
            inputs.append(path)
        }
        let outDir = dir.appendingPathComponent("out")
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["process"] + inputs + ["--profile", CLI.fixture("fitting/golden/N3-nal-r.json"), "--output-dir", outDir.path]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Interrupt once the first output is in place (it is linked there when complete).
        while process.isRunning, !FileManager.default.fileExists(atPath: outDir.appendingPathComponent("long-0.wav").path) { usleep(5000) }
        kill(process.processIdentifier, SIGINT)
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let written = listing(outDir)
        try #require(written.count < 6, "the batch finished before the interrupt; nothing to check: \(stderr)")
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(written.allSatisfy { $0.hasPrefix("long-") && $0.hasSuffix(".wav") }, "no temporary file left: \(written)")
        #expect(stderr.contains("interrupted while processing") && stderr.contains("\(written.count) of 6 files finished, complete"), "\(stderr)")
        for name in written {
            // Complete: the header's length is the input's (90 s at 48 kHz, float32 mono).
            let data = try Data(contentsOf: outDir.appendingPathComponent(name))
            #expect(data.count > 90 * 48000 * 4, "\(name): \(data.count) bytes")
            #expect(stdout.contains("→ \(outDir.path)/\(name)"), "the report of \(name) is printed")
        }
        #expect(!FileManager.default.fileExists(atPath: outDir.appendingPathComponent("long-5.wav").path))
    }
}
