import Foundation
import SoundProfileDSP
import SoundProfileIO
import Testing

/// The conventions people bring from other tools: `--version`, `-` for standard input and
/// output, resampling into a preset's rate, shell completions.
@Suite struct ConventionsCLITests {
    @Test(arguments: ["soundprofile", "soundprofile-service"])
    func versionPrintsTheReleaseFromTheSource(executable: String) throws {
        let r = try CLI.run(["--version"], executable: executable)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == soundProfileVersion + "\n")
        // Semantic versioning: MAJOR.MINOR.PATCH.
        #expect(soundProfileVersion.split(separator: ".").count == 3 && soundProfileVersion.split(separator: ".").allSatisfy { Int($0) != nil })
    }

    // MARK: - `-` for standard input and output

    /// The analysis of `-` is the analysis of the same bytes from a file, apart from the name.
    @Test func analyzeReadsAudioFromStandardInput() throws {
        let path = CLI.fixture("audio/speech-16k.flac")
        let file = try CLI.run(["analyze", path, "--format", "json", "--quiet"])
        let stdin = try CLI.run(["analyze", "-", "--format", "json", "--quiet"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(file.status == 0 && stdin.status == 0, "\(stdin.stderr)")
        #expect(stdin.stdout.contains(#""file" : "-""#))
        #expect(stdin.stdout.replacingOccurrences(of: #""file" : "-""#, with: #""file" : "\#(path)""#) == file.stdout)
    }

    @Test func fitReadsTheAudiogramFromStandardInput() throws {
        let path = CLI.fixture("audiograms/N3.json")
        let file = try CLI.run(["fit", "--audiogram", path])
        let stdin = try CLI.run(["fit", "--audiogram", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(file.status == 0 && stdin.status == 0, "\(stdin.stderr)")
        #expect(stdin.stdout == file.stdout)
    }

    /// `process - -o -` is a filter: WAV in, WAV out, the report on stderr; the samples are the
    /// ones `process FILE --output-dir DIR` writes.
    @Test func processIsAFilterFromStandardInputToStandardOutput() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = CLI.fixture("audio/speech-espeak-16k.wav"), profile = CLI.fixture("fitting/golden/N3-nal-r.json")
        let byFile = try CLI.run(["process", input, "--profile", profile, "--output-dir", dir.path])
        #expect(byFile.status == 0, "\(byFile.stderr)")
        let piped = try CLI.run(["process", "-", "-o", "-", "--profile", profile], stdin: try Data(contentsOf: URL(fileURLWithPath: input)))
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdoutData.prefix(4) == Data("RIFF".utf8))
        #expect(piped.stderr.contains("- → standard output") && piped.stderr.contains("latency 64 samples"))
        let out = dir.appendingPathComponent("piped.wav")
        try piped.stdoutData.write(to: out)
        let a = try ProcessCommandTests.readAll(dir.appendingPathComponent("speech-espeak-16k.wav").path)
        let b = try ProcessCommandTests.readAll(out.path)
        #expect(a.count == b.count && a == b)
    }

    @Test func processReadsTheProfileFromStandardInputAndWritesOneFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try Data(contentsOf: URL(fileURLWithPath: CLI.fixture("fitting/golden/N3-nal-r.json")))
        let target = dir.appendingPathComponent("n3.flac").path
        let r = try CLI.run(["process", CLI.fixture("audio/tone-1k-48k.wav"), "--profile", "-", "--output", target, "--format", "flac16"], stdin: profile)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try AudioFileReader(path: target).format.container.contains("FLAC"))
        let both = try CLI.run(["process", "-", "--profile", "-"])
        #expect(both.status == 2 && both.stderr.contains("cannot both read standard input"))
        let two = try CLI.run(["process", CLI.fixture("audio/tone-1k-48k.wav"), CLI.fixture("audio/stereo-48k.wav"), "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"), "-o", target])
        #expect(two.status == 2 && two.stderr.contains("takes exactly one input, not 2"))
    }

    /// `plot` and `verify` read their document from `-` as from the file.
    @Test func plotAndVerifyReadTheDocumentFromStandardInput() throws {
        let audiogram = CLI.fixture("audiograms/N3.json")
        let file = try CLI.run(["plot", "audiogram", audiogram])
        let stdin = try CLI.run(["plot", "audiogram", "-"], stdin: try Data(contentsOf: URL(fileURLWithPath: audiogram)))
        #expect(file.status == 0 && stdin.status == 0, "\(stdin.stderr)")
        // The same picture; only the title names the input.
        #expect(stdin.stdout.hasPrefix("<") && stdin.stdout == file.stdout.replacingOccurrences(of: "Audiogram: N3.json", with: "Audiogram: -"))
        let profile = CLI.fixture("fitting/golden/N3-nal-r.json")
        let byFile = try CLI.run(["verify", "--profile", profile, "--format", "json"])
        let verified = try CLI.run(["verify", "--profile", "-", "--format", "json"], stdin: try Data(contentsOf: URL(fileURLWithPath: profile)))
        #expect(verified.status == byFile.status && verified.stdout.contains("insertionGain"), "\(verified.stderr)")
        #expect(verified.stdout == byFile.stdout)
    }

    // MARK: - Resampling

    @Test func aMismatchedRateSaysToUseResample() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["process", CLI.fixture("audio/tone-1k-44k1-24bit.wav"), "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"),
                             "--preset", "pod16k", "--output-dir", dir.path])
        #expect(r.status == 1)
        #expect(r.stderr.contains("44100 Hz does not match preset pod16k") && r.stderr.contains("add --resample"))
        let noPreset = try CLI.run(["process", CLI.fixture("audio/tone-1k-44k1-24bit.wav"), "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"),
                                    "--output-dir", dir.path])
        #expect(noPreset.status == 1 && noPreset.stderr.contains("--preset NAME --resample"))
    }

    /// 44.1 kHz material through pod16k: the output is at 16 kHz, round(frames × 16000/44100)
    /// frames long, and the 1 kHz tone comes out at 1 kHz.
    @Test func resampleTakes44k1MaterialThroughAPodPreset() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = CLI.fixture("audio/tone-1k-44k1-24bit.wav")
        let r = try CLI.run(["process", input, "--profile", CLI.fixture("fitting/golden/N3-nal-r.json"),
                             "--preset", "pod16k", "--resample", "--output-dir", dir.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("resampled 44100 Hz → 16000 Hz"))
        let inFrames = try AudioFileReader(path: input).format.frameCount
        let outPath = dir.appendingPathComponent("tone-1k-44k1-24bit.wav").path
        let out = try AudioFileReader(path: outPath).format
        #expect(out.sampleRate == 16000)
        #expect(out.frameCount == Int64((Double(inFrames) * 16000 / 44100).rounded()))
        // The strongest component of the output's steady part is the 1 kHz tone.
        let samples = try ProcessCommandTests.readAll(outPath)
        let middle = Array(samples[(samples.count / 2 - 2048)..<(samples.count / 2 + 2048)])
        let spectrum = ToneSpectrum(middle, rate: 16000)
        #expect(abs(spectrum.peakHz - 1000) < 2 * spectrum.binHz, "peak at \(spectrum.peakHz) Hz")
    }

    // MARK: - Shell completions (README "Shell completions")

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScriptNamesTheSubcommands(shell: String) throws {
        let r = try CLI.run(["--generate-completion-script", shell])
        #expect(r.status == 0, "\(r.stderr)")
        for sub in ["analyze", "merge", "fit", "process", "verify", "plot", "info", "serve"] {
            #expect(r.stdout.contains(sub), "\(shell) completion lacks \(sub)")
        }
    }

    /// bash itself, given the generated script, completes the values of --preset, --rule and
    /// --bands (before, it offered nothing for them).
    @Test func bashCompletesOptionValues() throws {
        guard FileManager.default.isExecutableFile(atPath: "/bin/bash") else { return }
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = try CLI.run(["--generate-completion-script", "bash"])
        try script.stdoutData.write(to: dir.appendingPathComponent("c.bash"))
        func complete(_ words: [String]) throws -> [String] {
            let line = words.joined(separator: " ") + " "
            let program = """
            source c.bash; COMP_WORDS=(\(words.joined(separator: " ")) ""); COMP_CWORD=\(words.count)
            COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}; _soundprofile soundprofile "" \(words.last!); printf '%s\\n' "${COMPREPLY[@]}"
            """
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/bash")
            p.arguments = ["-c", program]
            p.currentDirectoryURL = dir
            let out = Pipe()
            p.standardOutput = out
            p.standardError = FileHandle.nullDevice
            try p.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            return text.split(separator: "\n").map(String.init).sorted()
        }
        #expect(try complete(["soundprofile", "process", "--preset"]) == ["pod16k", "pod24k", "studio48k"])
        #expect(try complete(["soundprofile", "verify", "--preset"]) == ["pod16k", "pod24k", "studio48k"])
        #expect(try complete(["soundprofile", "fit", "--rule"]) == ["half-gain", "nal-r", "nal-rp", "pogo"])
        #expect(try complete(["soundprofile", "analyze", "--bands"]).contains("octave"))
    }
}

/// The strongest bin of a Hann-windowed DFT (a coarse check; ResampleTests measures finely).
struct ToneSpectrum {
    var peakHz: Double
    var binHz: Double

    init(_ x: [Float], rate: Double) {
        let n = x.count
        binHz = rate / Double(n)
        var best = (power: -1.0, k: 0)
        for k in 1..<(n / 2) where Double(k) * binHz < 4000 {
            var re = 0.0, im = 0.0
            for i in 0..<n {
                let w = 0.5 - 0.5 * cos(2 * Double.pi * Double(i) / Double(n))
                let a = 2 * Double.pi * Double(k) * Double(i) / Double(n)
                re += w * Double(x[i]) * cos(a); im -= w * Double(x[i]) * sin(a)
            }
            if re * re + im * im > best.power { best = (re * re + im * im, k) }
        }
        peakHz = Double(best.k) * binHz
    }
}
