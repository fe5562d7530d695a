import Foundation
import Testing

/// How `analyze` turns its inputs into a list of files: each file once, symbolic-link loops not
/// followed, an unlistable folder named while the rest goes on, an empty corpus a failure, and
/// a result that cannot be stored still in the output.
@Suite struct AnalyzeInputWalkTests {
    private let octave = ["--bands", "octave", "--range", "125-8000"]

    private func files(_ jsonl: String) -> [String] {
        jsonl.split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["file"] as? String ?? "?"
        }
    }

    /// A copy of Fixtures/audio (top level only, no subfolders) at `dir/name`.
    private func corpus(in dir: URL, name: String = "corpus") throws -> URL {
        let target = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for f in try FileManager.default.contentsOfDirectory(atPath: CLI.fixture("audio")) where f.hasSuffix(".wav") || f.hasSuffix(".flac") {
            try FileManager.default.copyItem(atPath: CLI.fixture("audio/" + f), toPath: target.appendingPathComponent(f).path)
        }
        return target
    }

    /// `analyze corpus ./corpus/ corpus/tone…`: every file once, as first named, with one note.
    @Test func theSameFileNamedTwiceIsAnalysedOnce() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        _ = try corpus(in: tmp)
        let once = try CLI.run(["analyze", "corpus", "--format", "jsonl", "--quiet"] + octave, in: tmp)
        let twice = try CLI.run(["analyze", "corpus", "./corpus/", "corpus/tone-1k-48k.wav", "--format", "jsonl", "--quiet"] + octave, in: tmp)
        #expect(once.status == 0 && twice.status == 0, "\(twice.stderr)")
        #expect(files(once.stdout).count == 11)
        #expect(twice.stdoutData == once.stdoutData)
        let notes = twice.stderr.split(separator: "\n").filter { $0.contains("named more than once") }
        #expect(notes.count == 1 && notes[0].contains("12 files are named more than once") && notes[0].contains("each is analysed once"), "\(twice.stderr)")
        // A file named directly before its folder keeps its first spelling.
        let fileFirst = try CLI.run(["analyze", "./corpus/tone-1k-48k.wav", "corpus", "--format", "jsonl", "--quiet"] + octave, in: tmp)
        let names = files(fileFirst.stdout)
        #expect(names.count == 11 && names.first == "./corpus/tone-1k-48k.wav" && !names.contains("corpus/tone-1k-48k.wav"))
    }

    /// `sub/up -> ..` under --recursive: the file once, the loop named, exit 0.
    @Test func aSymbolicLinkLoopIsNotFollowed() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let sub = tmp.appendingPathComponent("loop/sub")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: CLI.fixture("audio/tone-1k-48k.wav"), toPath: sub.appendingPathComponent("tone.wav").path)
        try FileManager.default.createSymbolicLink(atPath: sub.appendingPathComponent("up").path, withDestinationPath: "..")
        let r = try CLI.run(["analyze", "loop", "--recursive", "--format", "jsonl", "--quiet"] + octave, in: tmp)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(files(r.stdout) == ["loop/sub/tone.wav"], "\(files(r.stdout).count) records")
        #expect(r.stderr.contains("soundprofile analyze: loop/sub/up: not followed: it leads back to loop, a folder it is inside"), "\(r.stderr)")
        // A link to a folder that is not above it is still followed.
        try FileManager.default.createSymbolicLink(atPath: tmp.appendingPathComponent("loop/other").path, withDestinationPath: "sub")
        let side = try CLI.run(["analyze", "loop/other", "--recursive", "--format", "jsonl", "--quiet"] + octave, in: tmp)
        #expect(side.status == 0 && files(side.stdout) == ["loop/other/tone.wav"], "\(side.stderr)")
    }

    /// An empty folder (an unmounted mount point) fails every shard and an unsharded run; a
    /// shard that owns none of a non-empty corpus succeeds.
    @Test func anEmptyCorpusFailsEveryShard() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        try FileManager.default.createDirectory(at: tmp.appendingPathComponent("empty/sub"), withIntermediateDirectories: true)
        let results = tmp.appendingPathComponent("results").path
        for i in 0..<4 {
            let r = try CLI.run(["analyze", "empty", "--shard", "\(i)/4", "--output-dir", results, "--format", "csv", "--quiet"], in: tmp)
            #expect(r.status == 1, "shard \(i): \(r.stderr)")
            #expect(r.stderr.contains("soundprofile analyze: empty: no audio files in it") && r.stderr.contains("nothing analysed"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        let plain = try CLI.run(["analyze", "empty", "--format", "csv"], in: tmp)
        #expect(plain.status == 1 && plain.stderr.contains("subfolders are not searched") && plain.stdout.isEmpty, "\(plain.stderr)")
        let two = try CLI.run(["analyze", "empty", "empty/sub", "--recursive"], in: tmp)
        #expect(two.status == 1 && two.stderr.contains("no audio files in any of the 2 inputs"), "\(two.stderr)")
        // One file over 4 shards: three own nothing and still succeed.
        let tone = CLI.fixture("audio/tone-1k-48k.wav")
        var owners = 0
        for i in 0..<4 {
            let r = try CLI.run(["analyze", tone, "--shard", "\(i)/4", "--format", "jsonl", "--quiet"] + octave)
            #expect(r.status == 0, "\(r.stderr)")
            owners += files(r.stdout).count
        }
        #expect(owners == 1)
    }

    /// A result that cannot be stored (its path is blocked by a folder) is still in the output;
    /// the store path is named and the run exits 1.
    @Test func aResultThatCannotBeStoredIsStillInTheOutput() throws {
        let tmp = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: tmp) }
        let root = tmp.appendingPathComponent("results").path
        let inputs = [CLI.fixture("audio/sweep-48k.wav"), CLI.fixture("audio/tone-1k-48k.wav")]
        let first = try CLI.run(["analyze", inputs[0], "--output-dir", root, "--quiet", "--format", "csv"] + octave)
        #expect(first.status == 0)
        let folder = root + "/" + (try FileManager.default.contentsOfDirectory(atPath: root).first { $0.hasPrefix("settings-") } ?? "?")
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.count == 64 + 5 }
        #expect(stored.count == 1)
        let blocked = folder + "/" + stored[0]
        try FileManager.default.removeItem(atPath: blocked)
        try FileManager.default.createDirectory(atPath: blocked + "/sub", withIntermediateDirectories: true)
        let plain = try CLI.run(["analyze"] + inputs + ["--format", "csv", "--quiet"] + octave)
        let r = try CLI.run(["analyze"] + inputs + ["--output-dir", root, "--format", "csv", "--quiet"] + octave)
        #expect(r.status == 1)
        #expect(r.stdoutData == plain.stdoutData && r.stdout.contains("sweep-48k.wav"), "\(r.stdout)")
        #expect(r.stderr.contains("soundprofile analyze: \(blocked): cannot store the analysis of \(inputs[0])"), "\(r.stderr)")
        #expect(r.stderr.contains("1 of 2 results could not be stored"), "\(r.stderr)")
        // merge names it as without a result, not as stored.
        let merged = try CLI.run(["merge", root])
        #expect(merged.status == 1 && merged.stderr.contains("no result for \(inputs[0])") && merged.stderr.contains("could not be stored"), "\(merged.stderr)")
    }

    /// A folder that cannot be listed is named with its reason; the other files still run and
    /// the run exits 1; merge of such a run says so too. Root can list any folder, so the run is
    /// made as the unprivileged user 65534 (nobody) when the tests run as root.
    @Test func anUnlistableFolderIsNamedAndTheRestGoesOn() throws {
        let tmp = try CLI.temporaryDirectory()
        defer {
            chmod(tmp.appendingPathComponent("c/locked").path, 0o755)
            try? FileManager.default.removeItem(at: tmp)
        }
        chmod(tmp.path, 0o755)
        let c = tmp.appendingPathComponent("c")
        try FileManager.default.createDirectory(at: c.appendingPathComponent("locked"), withIntermediateDirectories: true)
        for (source, target) in [("tone-1k-48k.wav", "a.wav"), ("sweep-48k.wav", "locked/b.wav"), ("silence-48k.wav", "z.wav")] {
            try FileManager.default.copyItem(atPath: CLI.fixture("audio/" + source), toPath: c.appendingPathComponent(target).path)
        }
        let results = tmp.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: results, withIntermediateDirectories: true)
        chmod(results.path, 0o777)
        chmod(c.appendingPathComponent("locked").path, 0)
        let r = try runUnprivileged(["analyze", "c", "--recursive", "--format", "jsonl", "--quiet", "--output-dir", "results"] + octave, in: tmp)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(files(r.stdout) == ["c/a.wav", "c/z.wav"])
        #expect(r.stderr.contains("soundprofile analyze: c/locked: cannot list: permission denied"), "\(r.stderr)")
        #expect(r.stderr.contains("1 folder could not be listed"), "\(r.stderr)")
        let named = try runUnprivileged(["analyze", "c/locked"], in: tmp)
        #expect(named.status == 1 && named.stderr.contains("soundprofile analyze: c/locked: cannot list: permission denied"), "\(named.stderr)")
        let merged = try CLI.run(["merge", "results", "--format", "jsonl"], in: tmp)
        #expect(merged.status == 1 && files(merged.stdout) == ["c/a.wav", "c/z.wav"], "\(merged.stderr)")
        #expect(merged.stderr.contains("c/locked: could not be listed when the shards ran (permission denied)"), "\(merged.stderr)")
    }

    /// Runs the built `soundprofile` as user 65534 when this process is root (through setpriv),
    /// else as this user.
    private func runUnprivileged(_ args: [String], in directory: URL) throws -> CLI.Result {
        let exe = CLI.productsDirectory.appendingPathComponent("soundprofile").path
        guard getuid() == 0 else { return try CLI.run(args, in: directory) }
        return try CLI.launch(URL(fileURLWithPath: "/usr/bin/setpriv"), ["--reuid=65534", "--regid=65534", "--clear-groups", exe] + args,
                              in: directory)
    }
}
