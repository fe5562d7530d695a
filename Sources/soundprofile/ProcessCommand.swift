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

/// `soundprofile process`: applies a fitted profile to audio files as the pod would, block by block.
struct ProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "process", _superCommandName: SoundProfileCommand.directParseSuperCommand,
        abstract: "Apply a fitted sound profile to audio files with the streaming processor (as a pod would).",
        discussion: """
        Each channel runs its own ProfileProcessor. With --ear both (default) channel 0 gets the profile's \
        left ear and channel 1 the right ear (a mono file gets the right ear, or the left if the profile has \
        only that). Output files keep the input's sample rate, channel count and length; they are delayed by \
        the algorithmic latency (overlap-add plus the output limiter's 1 ms look-ahead), which is printed. The \
        file's sample rate must be the preset's, or with --preset NAME --resample the file is resampled to it \
        (libsamplerate's best sinc converter) and the output is at the preset's rate.

        `-` as the input reads audio from standard input; --output - (one input) writes a WAV to standard \
        output, and the report goes to stderr; --profile - reads the profile from standard input.

        Levels are detected and compressed in channels of at least 3 FFT bins (edges in Hz, from 0 to fs/2):
        \(presetChannelEdges)
        Fit with `soundprofile fit --preset NAME` to fit in a preset's channels; a profile fitted in other \
        bands is refitted into them (said once on stderr). The output never exceeds each channel's MPO by \
        more than a limiter's rounding (1-ms RMS).

        NaN or infinite input samples are replaced by 0 and counted; such a file is reported and counts as \
        failed (its output is still written). Integer output (pcm16, pcm24, flac16) is clipped to full scale \
        and the clipped samples are counted.

        Exit status: 0 all files processed, 1 some failed (or had non-finite samples), 2 usage error.
        """)

    /// One line per preset: its name and channel edges in Hz. Built on every run (the help
    /// text is part of the configuration), so with plain loops: a generic `joined` costs
    /// about 0.2 M instructions of conformance look-ups the first time.
    static var presetChannelEdges: String {
        var text = ""
        for p in ProcessorConfiguration.presets {
            if !text.isEmpty { text += "\n" }
            text += "  " + (p.name ?? "custom") + ":"
            for band in p.channels.bands { text += " " + String(Int(band.lowerHz.rounded())) }
            text += " " + String(Int(p.sampleRate / 2)) + " Hz"
        }
        return text
    }

    @Argument(help: "Audio files to process (`-` for standard input).")
    var inputs: [String]

    @Option(help: "Fitted profile JSON (from `soundprofile fit`; `-` for standard input).")
    var profile: String

    @Option(help: "Which ear to apply: right, left or both.")
    var ear: EarChoice = .both

    @Option(help: "pod16k (16 kHz, hop 16, FFT 64, 8 channels), pod24k (24 kHz, hop 32, FFT 128, 12 channels) or studio48k (48 kHz, hop 64, FFT 256, 16 channels). Default: the preset matching the file's rate.", completion: .list(["pod16k", "pod24k", "studio48k"]))
    var preset: String?

    @Option(help: "Directory for processed files (created if missing).")
    var outputDir = "processed"

    @Option(name: [.customShort("o"), .long], help: ArgumentHelp("With one input: write the processed audio to this file instead of into --output-dir; `-` writes it to standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Resample a file whose rate is not the --preset's to the preset's rate (libsamplerate, best sinc quality); the output is at the preset's rate.")
    var resample = false

    @Option(help: "Output encoding: float32 (WAV), pcm16, pcm24 (WAV) or flac16.")
    var format: AudioFileEncoding = .float32

    @Flag(help: "Replace output files that exist already (an input is never replaced).")
    var overwrite = false

    enum EarChoice: String, ArgumentEnum { case right, left, both }

    func validate() throws {
        if let preset, ProcessorConfiguration.presets.first(where: { $0.name == preset }) == nil {
            throw ValidationError("--preset '\(preset)' is not allowed: it must be one of \(ProcessorConfiguration.presets.map { $0.name! }.joined(separator: ", "))")
        }
        if resample, preset == nil {
            throw ValidationError("--resample needs --preset NAME: the preset's rate is the rate to resample to")
        }
        if let output {
            guard inputs.count == 1 else {
                throw ValidationError("--output \(output) takes exactly one input, not \(inputs.count); use --output-dir for several")
            }
        }
        if profile == StandardInput.name, inputs.contains(StandardInput.name) {
            throw ValidationError("--profile - and the input - cannot both read standard input")
        }
    }

    func run() throws {
        let fitted = try UserDocument.profile(at: profile)
        // Every output is checked before anything is written (no input, the profile included,
        // overwritten, even with --overwrite; no two inputs into one file; no existing file
        // replaced without --overwrite).
        let read = inputs + (profile == StandardInput.name ? [] : [profile])
        let outputPaths: [String]
        if let output {
            if output != StandardInput.name {
                try refuseWritingOverInput(output, inputs: read)
                if PathText.isDirectory(output) { throw CLIError(output, "is a folder; --output names the file to write") }
                // A device or FIFO (/dev/null) is written into, not replaced.
                if pathEntryExists(output), !overwrite, !AudioFileWriter.isStreamTarget(output) {
                    throw CLIError(output, "exists already (the output of \(inputs[0])); use --overwrite to replace it")
                }
            }
            outputPaths = [output]
        } else {
            if pathEntryExists(outputDir), !PathText.isDirectory(outputDir) {
                throw CLIError(outputDir, "is a file, not a folder; --output-dir names the folder to write into")
            }
            outputPaths = try OutputPlan(inputs: inputs, outputDir: outputDir, fileExtension: format.fileExtension, overwrite: overwrite,
                                         alsoRead: profile == StandardInput.name ? [] : [profile]).paths
            do {
                try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            } catch {
                throw CLIError(outputDir, "cannot create the output folder: \(CLIMessage.fileReason(error))")
            }
        }
        var failures = 0
        var saidRefit = false
        var finished = 0
        // Ctrl-C or SIGTERM: the file in progress is dropped (its temporary file removed), the
        // finished ones stay, complete; exit 130.
        installInterruptHandlers()
        for (input, outPath) in zip(inputs, outputPaths) {
            defer { finished += 1 }
            do {
                let outcome = try processFile(input, to: outPath, profile: fitted)
                if outcome.refitted && !saidRefit {
                    saidRefit = true
                    reportError("process", nil, "note: the profile's bands are not \(outcome.preset)'s channels, so it was refitted into them (fit with --preset \(outcome.preset) to fit in them directly)")
                }
                if outcome.nonFinite > 0 {
                    failures += 1
                    reportError("process", input, "\(outcome.nonFinite) non-finite input samples (NaN or infinite) were replaced by 0; output written")
                }
            } catch is CancellationError {
                reportError("process", nil, "interrupted while processing \(input == StandardInput.name ? "standard input" : input), which was not written; "
                            + "\(finished) of \(inputs.count) files finished, complete")
                throw ExitCode(130)
            } catch {
                failures += 1
                reportError("process", input, error)
            }
        }
        if failures > 0 {
            reportError("process", nil, "\(failures) of \(inputs.count) files failed")
            throw ExitCode(1)
        }
    }

    private func processFile(_ path: String, to outPath: String, profile: SoundProfile) throws -> (refitted: Bool, nonFinite: Int, preset: String) {
        let file = try AudioFileReader(path: path)
        let fileRate = file.format.sampleRate, channels = file.format.channelCount
        let configuration: ProcessorConfiguration
        if let preset {
            configuration = ProcessorConfiguration.presets.first { $0.name == preset }!
            guard Int(configuration.sampleRate) == fileRate || resample else {
                throw ValidationError("sample rate \(fileRate) Hz does not match preset \(preset), which accepts only \(Int(configuration.sampleRate)) Hz; add --resample to resample the file to \(Int(configuration.sampleRate)) Hz")
            }
        } else {
            guard let match = ProcessorConfiguration.presets.first(where: { Int($0.sampleRate) == fileRate }) else {
                throw ValidationError("sample rate \(fileRate) Hz has no preset; the presets accept "
                    + ProcessorConfiguration.presets.map { "\($0.name!) \(Int($0.sampleRate)) Hz" }.joined(separator: ", ")
                    + "; choose one with --preset NAME --resample")
            }
            configuration = match
        }
        let rate = Int(configuration.sampleRate)
        let resampler: ResamplingReader? = try rate == fileRate ? nil : ResamplingReader(file, to: rate)
        func read(_ buffer: UnsafeMutableBufferPointer<Float>) throws -> Int {
            if let resampler { return try resampler.read(into: buffer) }
            return try file.read(into: buffer)
        }
        // With --output - the audio goes to standard output, so the report goes to stderr.
        let toStandardOutput = output == StandardInput.name
        func say(_ line: String) { if toStandardOutput { printError(line) } else { print(line) } }
        func earFor(channel: Int) -> Ear {
            switch ear {
            case .right: return .right
            case .left: return .left
            case .both:
                if channels >= 2 { return channel == 0 ? .left : .right }
                return profile[.right] != nil ? .right : .left
            }
        }
        let processors = try (0..<channels).map { try ProfileProcessor(configuration: configuration, profile: profile, ear: earFor(channel: $0)) }
        let writer = try AudioFileWriter(path: outPath, sampleRate: rate, channelCount: channels, encoding: format)
        let hop = configuration.hop
        let blocksPerChunk = max(1, 4096 / hop)
        let chunk = UnsafeMutableBufferPointer<Float>.allocate(capacity: blocksPerChunk * hop * channels)
        defer { chunk.deallocate() }
        // One channel of the chunk at a time, contiguous, processed block by block in place.
        let samples = blocksPerChunk * hop
        let channelIn = UnsafeMutableBufferPointer<Float>.allocate(capacity: samples)
        let channelOut = UnsafeMutableBufferPointer<Float>.allocate(capacity: samples)
        defer { channelIn.deallocate(); channelOut.deallocate() }
        var inputPower = [Double](repeating: 0, count: channels), outputPower = [Double](repeating: 0, count: channels)
        var frames = 0
        while true {
            if interruptRequested.load(ordering: .relaxed) { throw CancellationError() }
            let n = try read(chunk)
            if n == 0 { break }
            frames += n
            // A short last chunk is zero-padded to whole blocks; only the real frames are written.
            for i in (n * channels)..<chunk.count { chunk[i] = 0 }
            let blocks = (n + hop - 1) / hop
            for c in 0..<channels {
                var inPower: Float = 0, outPower: Float = 0
                for i in 0..<(blocks * hop) {
                    let x = chunk[i &* channels &+ c]
                    channelIn[i] = x
                    if i < n, x.isFinite { inPower += x * x }
                }
                for b in 0..<blocks {
                    processors[c].process(input: UnsafeBufferPointer(rebasing: channelIn[(b * hop)..<((b + 1) * hop)]),
                                          output: UnsafeMutableBufferPointer(rebasing: channelOut[(b * hop)..<((b + 1) * hop)]))
                }
                for i in 0..<n {
                    let y = channelOut[i]
                    chunk[i &* channels &+ c] = y
                    outPower += y * y
                }
                // Float within a chunk (≤ 4096 samples), Double across the file.
                inputPower[c] += Double(inPower)
                outputPower[c] += Double(outPower)
            }
            try writer.write(UnsafeBufferPointer(rebasing: chunk[0..<(n * channels)]))
        }
        try writer.finish(replacing: overwrite)  // never over a file that appeared meanwhile, unless --overwrite
        let nonFinite = processors.reduce(0) { $0 + $1.nonFiniteSampleCount } + (resampler?.nonFiniteSampleCount ?? 0)
        let latency = processors[0].algorithmicLatency
        say("\(path) → \(outPath == StandardInput.name ? "standard output" : outPath)")
        if resampler != nil { say("  resampled \(fileRate) Hz → \(rate) Hz (libsamplerate, best sinc)") }
        say("  \(configuration.name!): \(rate) Hz, hop \(hop), FFT \(configuration.fftSize); latency \(latency.samples) samples = \(AnalysisRenderer.fixed(latency.milliseconds, decimals: 2)) ms")
        for c in 0..<channels {
            let level = { (p: Double) in frames > 0 && p > 0 ? AnalysisRenderer.fixed(10 * log10(p / Double(frames)) + profile.fullScaleDBSPL, decimals: 1) : "-inf" }
            say("  channel \(c) (\(earFor(channel: c).rawValue) ear): input \(level(inputPower[c])) dB SPL, output \(level(outputPower[c])) dB SPL (overall, full scale \(profile.fullScaleDBSPL) dB SPL)")
        }
        if nonFinite > 0 { say("  \(nonFinite) non-finite input samples replaced by 0") }
        if writer.clippedSampleCount > 0 { say("  clipped \(writer.clippedSampleCount) samples (\(format.rawValue) holds at most full scale)") }
        return (processors[0].refittedProfile, nonFinite, configuration.name ?? "custom")
    }
}

extension AudioFileEncoding: ArgumentEnum {}
