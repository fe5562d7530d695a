import Foundation
import Testing

/// `process` never writes over an input, never lets two inputs share an output, and replaces an
/// existing output only with `--overwrite` (issue 13, item 2).
@Suite struct ProcessOutputSafetyTests {
    static let profile = CLI.fixture("fitting/golden/N3-nal-r.json")
    static let audio = CLI.fixture("audio/tone-1k-48k.wav")

    /// A copy of a 48 kHz fixture at `relative` inside `dir`.
    func copyAudio(to relative: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.audio, toPath: url.path)
        return url.path
    }

    /// Every file under `dir`, relative, sorted (hidden temporary files included).
    func listing(_ dir: URL) throws -> [String] {
        (FileManager.default.subpaths(atPath: dir.path) ?? []).sorted()
    }

    @Test func anOutputThatIsTheInputIsRefusedEvenWithOverwrite() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try copyAudio(to: "in/x.wav", in: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: input))
        for extra in [[], ["--overwrite"]] {
            let r = try CLI.run(["process", input, "--profile", Self.profile, "--output-dir", dir.appendingPathComponent("in").path] + extra)
            #expect(r.status == 1, "\(extra): \(r.stderr)")
            #expect(r.stderr.contains("soundprofile process: \(input): the output \(dir.path)/in/x.wav would be this input itself; choose another --output-dir"), "\(r.stderr)")
            #expect(r.stderr.contains("nothing was written"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: input)) == before, "the input is untouched")
        }
        // The same folder through a symbolic link, and through "..": still the input.
        try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("alias").path, withDestinationPath: dir.appendingPathComponent("in").path)
        for folder in [dir.appendingPathComponent("alias").path, dir.path + "/in/../in"] {
            let r = try CLI.run(["process", input, "--profile", Self.profile, "--output-dir", folder, "--overwrite"])
            #expect(r.status == 1 && r.stderr.contains("would be this input itself"), "\(folder): \(r.stderr)")
        }
        // A FLAC input and --format flac16 into its own folder.
        let flac = dir.appendingPathComponent("in/speech.flac").path
        try FileManager.default.copyItem(atPath: CLI.fixture("audio/speech-16k.flac"), toPath: flac)
        let r = try CLI.run(["process", flac, "--profile", Self.profile, "--format", "flac16", "--output-dir", dir.appendingPathComponent("in").path, "--overwrite"])
        #expect(r.status == 1 && r.stderr.contains("would be this input itself"), "\(r.stderr)")
        #expect(try listing(dir) == ["alias", "in", "in/speech.flac", "in/x.wav"], "nothing written, no temporary left")
    }

    @Test func anOutputThatIsAnotherInputIsRefused() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let wav = try copyAudio(to: "a/x.wav", in: dir)
        let other = try copyAudio(to: "out/x.wav", in: dir)  // processing a/x.wav into out/ would replace it
        let r = try CLI.run(["process", wav, other, "--profile", Self.profile, "--output-dir", dir.appendingPathComponent("out").path, "--overwrite"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("soundprofile process: \(wav): the output \(dir.path)/out/x.wav would be the input \(other); choose another --output-dir"), "\(r.stderr)")
        #expect(try listing(dir) == ["a", "a/x.wav", "out", "out/x.wav"])
    }

    @Test func twoInputsWithOneNameAreRefusedNamingBoth() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try copyAudio(to: "a/x.wav", in: dir)
        let b = try copyAudio(to: "b/x.wav", in: dir)
        let out = dir.appendingPathComponent("out").path
        let r = try CLI.run(["process", a, b, "--profile", Self.profile, "--output-dir", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("soundprofile process: \(b): would be written to \(out)/x.wav, as \(a) is; process them into separate --output-dir folders"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written, not even the folder")
        // The same file twice is named as such.
        let twice = try CLI.run(["process", a, dir.path + "/b/../a/x.wav", "--profile", Self.profile, "--output-dir", out])
        #expect(twice.status == 1 && twice.stderr.contains("is given more than once (also as \(a))"), "\(twice.stderr)")
    }

    @Test func anExistingOutputIsReplacedOnlyWithOverwrite() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try copyAudio(to: "in/x.wav", in: dir)
        let out = dir.appendingPathComponent("out")
        let output = out.appendingPathComponent("x.wav").path
        let first = try CLI.run(["process", input, "--profile", Self.profile, "--output-dir", out.path])
        #expect(first.status == 0, "\(first.stderr)")
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: output))
        let again = try CLI.run(["process", input, "--profile", Self.profile, "--output-dir", out.path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("soundprofile process: \(output): exists already (the output of \(input)); use --overwrite to replace it"), "\(again.stderr)")
        #expect(try String(contentsOfFile: output, encoding: .utf8) == "keep me")
        let replaced = try CLI.run(["process", input, "--profile", Self.profile, "--output-dir", out.path, "--overwrite"])
        #expect(replaced.status == 0, "\(replaced.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: output)).count > 1000, "a WAV file now")
        #expect(try listing(dir) == ["in", "in/x.wav", "out", "out/x.wav"], "no temporary file left")
        // A folder where the output would go.
        try FileManager.default.removeItem(atPath: output)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let folder = try CLI.run(["process", input, "--profile", Self.profile, "--output-dir", out.path, "--overwrite"])
        #expect(folder.status == 1 && folder.stderr.contains("\(output): is a folder"), "\(folder.stderr)")
    }

    /// The commands that write one file (`fit --output`, `plot --output`, `verify --plot`) never
    /// write it over the file they read either.
    @Test func fitPlotAndVerifyNeverWriteOverTheirInput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let audiogram = dir.appendingPathComponent("a.json").path
        try FileManager.default.copyItem(atPath: CLI.fixture("audiograms/N3.json"), toPath: audiogram)
        let profile = dir.appendingPathComponent("p.json").path
        try FileManager.default.copyItem(atPath: Self.profile, toPath: profile)
        let link = dir.appendingPathComponent("link.json").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: audiogram)
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { try Data(contentsOf: dir.appendingPathComponent($0)) }
        let runs: [([String], String)] = [
            (["fit", "--audiogram", audiogram, "--output", audiogram], "soundprofile fit: \(audiogram): is the input \(audiogram); write the output to another file\n"),
            (["fit", "--audiogram", audiogram, "--output", link], "soundprofile fit: \(link): is the input \(audiogram); write the output to another file\n"),
            (["plot", "audiogram", audiogram, "--output", audiogram], "soundprofile plot audiogram: \(audiogram): is the input \(audiogram); write the output to another file\n"),
            (["plot", "profile", profile, "--output", dir.path + "/../" + dir.lastPathComponent + "/p.json"],
             "soundprofile plot profile: \(dir.path)/../\(dir.lastPathComponent)/p.json: is the input \(profile); write the output to another file\n"),
            (["verify", "--profile", profile, "--plot", profile], "soundprofile verify: \(profile): is the input \(profile); write the output to another file\n"),
        ]
        for (command, expected) in runs {
            let r = try CLI.run(command)
            #expect(r.status == 1 && r.stderr == expected, "\(command): \(r.stderr)")
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted().map { try Data(contentsOf: dir.appendingPathComponent($0)) }
        #expect(after == before, "every file is as it was, no temporary left")
    }
}
