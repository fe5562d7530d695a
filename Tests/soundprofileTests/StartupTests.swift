import Foundation
import Testing

/// What keeps a short `soundprofile` command cheap: no full Foundation (its locale and ICU
/// libraries cost more to load than the analysis of a short file) and FFTW plans kept between
/// runs. The instruction counts themselves are measured by `make bench-instructions`.
@Suite struct StartupTests {
    /// The libraries the dynamic loader maps for `soundprofile`, as `ldd` lists them (glibc's
    /// loader prints them and exits when LD_TRACE_LOADED_OBJECTS is set).
    static func loadedLibraries() throws -> String {
        let r = try CLI.run(["--help"], environment: ["LD_TRACE_LOADED_OBJECTS": "1"])
        #expect(r.status == 0)
        return r.stdout
    }

    @Test func theBatchToolDoesNotLoadFoundationOrICU() throws {
        let libraries = try Self.loadedLibraries()
        #expect(libraries.contains("libswiftCore"), "the loader's listing is missing: \(libraries)")
        // FoundationEssentials (JSON, Data, FileManager) is enough for the batch tool.
        for heavy in ["libFoundation.so", "libFoundationInternationalization", "lib_FoundationICU", "libFoundationNetworking", "libFoundationXML"] {
            #expect(!libraries.contains(heavy), "soundprofile links \(heavy): some file imports Foundation instead of FoundationEssentials")
        }
    }

    @Test func theWisdomCacheIsWrittenOnceAndChangesNoResult() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let cache = dir.appendingPathComponent("cache/fftw-wisdom").path
        let args = ["analyze", CLI.fixture("audio/speech-in-babble-snr0-48k.wav"), "--format", "jsonl", "--quiet"]

        let none = try CLI.run(args, environment: ["SOUNDPROFILE_FFTW_WISDOM": "off"])
        #expect(none.status == 0)
        #expect(!FileManager.default.fileExists(atPath: cache))

        let first = try CLI.run(args, environment: ["SOUNDPROFILE_FFTW_WISDOM": cache])
        #expect(first.status == 0)
        let written = try String(contentsOfFile: cache, encoding: .utf8)
        #expect(written.hasPrefix("(fftw-3"), "not FFTW wisdom: \(written.prefix(80))")
        let modified = try FileManager.default.attributesOfItem(atPath: cache)[.modificationDate] as? Date

        let second = try CLI.run(args, environment: ["SOUNDPROFILE_FFTW_WISDOM": cache])
        #expect(second.status == 0)
        // Nothing new was planned, so the cache is not rewritten.
        #expect(try FileManager.default.attributesOfItem(atPath: cache)[.modificationDate] as? Date == modified)
        #expect(try String(contentsOfFile: cache, encoding: .utf8) == written)

        // Bit-identical output with no cache, a fresh cache and a warm cache.
        #expect(first.stdoutData == none.stdoutData)
        #expect(second.stdoutData == none.stdoutData)
    }

    @Test func aDamagedOrUnwritableCacheIsIgnored() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--format", "jsonl", "--quiet"]
        let reference = try CLI.run(args, environment: ["SOUNDPROFILE_FFTW_WISDOM": "off"])

        let damaged = dir.appendingPathComponent("damaged").path
        try Data("(fftw-3.3.10 fftwf_wisdom #x0 (garbage".utf8 + [0xff, 0x00, 0x41]).write(to: URL(fileURLWithPath: damaged))
        let withDamaged = try CLI.run(args, environment: ["SOUNDPROFILE_FFTW_WISDOM": damaged])
        #expect(withDamaged.status == 0)
        #expect(withDamaged.stdoutData == reference.stdoutData)
        #expect(withDamaged.stderr.isEmpty, "\(withDamaged.stderr)")
        // Replaced by good wisdom.
        #expect(try String(contentsOfFile: damaged, encoding: .utf8).hasPrefix("(fftw-3"))

        let unwritable = "/proc/soundprofile-no-such-folder/fftw-wisdom"
        let withUnwritable = try CLI.run(args, environment: ["SOUNDPROFILE_FFTW_WISDOM": unwritable])
        #expect(withUnwritable.status == 0)
        #expect(withUnwritable.stdoutData == reference.stdoutData)
        #expect(withUnwritable.stderr.isEmpty, "\(withUnwritable.stderr)")
    }
}

/// `main()` first parses a subcommand directly (cheaper) and falls back to the full parse on
/// any failure: help, usage errors and completion scripts must still be the full parser's.
@Suite struct DirectParseFallbackTests {
    @Test func helpAndUsageErrorsNameTheWholeCommand() throws {
        let help = try CLI.run(["analyze", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("USAGE: soundprofile analyze"), "\(help.stdout.prefix(300))")

        let bad = try CLI.run(["analyze", CLI.fixture("audio/tone-1k-48k.wav"), "--fft-size", "banana"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("Usage: soundprofile analyze"), "\(bad.stderr)")
        #expect(bad.stderr.contains("banana"))

        let unknown = try CLI.run(["process", "--no-such-option"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("soundprofile process"), "\(unknown.stderr)")
    }

    @Test func completionScriptsStillCoverEverySubcommand() throws {
        let r = try CLI.run(["--generate-completion-script", "bash"])
        #expect(r.status == 0)
        for name in ["analyze", "fit", "process", "verify", "plot", "merge"] {
            #expect(r.stdout.contains(name), "completion script lacks \(name)")
        }
    }
}
