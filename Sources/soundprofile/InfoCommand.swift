import ArgumentParser
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SoundProfileIO

/// `soundprofile info`: format, length and levels of audio files (as `soxi`, `ffprobe` or
/// `sox --i` / `stats` report them), with the project's calibration.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", _superCommandName: SoundProfileCommand.directParseSuperCommand,
        abstract: "Format, rate, channels, length, and peak and RMS levels (dBFS and dB SPL) of audio files.",
        discussion: """
        dBFS is relative to a sample value of 1.0 for the peak and the RMS alike (as SoX's stats): a \
        full-scale sine has its peak at 0 dBFS and its RMS at -3.01 dBFS. dB SPL adds the calibration \
        (--full-scale-db-spl, the level of a signal whose RMS is 1.0; default 100), so the RMS in dB SPL is \
        the overall Leq that `analyze` reports. Digital silence reads -200 dBFS. `-` reads standard input.

        A file that cannot be read gives an error record (json: {"file": …, "error": …}) and a line on \
        stderr; the others are still reported. Exit status: 0 all files read, 1 some failed, 2 usage error.
        """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Argument(help: "Audio files (`-` for standard input).")
    var files: [String]

    @Option(help: "Output format: table or json (an array, one object per file).")
    var format: Format = .table

    @Option(help: "Calibration: the level in dB SPL of a signal whose RMS is 1.0 (0…200).")
    var fullScaleDbSpl: Double = 100

    func validate() throws {
        guard fullScaleDbSpl.isFinite, (0...200).contains(fullScaleDbSpl) else {
            throw ValidationError("--full-scale-db-spl \(fullScaleDbSpl) is not allowed: it must be 0…200 dB SPL")
        }
    }

    /// One file's outcome, as JSON writes it.
    private enum Record: Encodable {
        case info(AudioFileInfo)
        case failure(file: String, error: String)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .info(let info): try info.encode(to: encoder)
            case .failure(let file, let error):
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(file, forKey: .file)
                try c.encode(error, forKey: .error)
            }
        }
        enum Keys: String, CodingKey { case file, error }
    }

    func run() throws {
        var records: [Record] = []
        var failures = 0
        for file in files {
            do {
                let info = try AudioFileInfo.measure(path: file, fullScaleDBSPL: fullScaleDbSpl)
                records.append(.info(info))
                if format == .table { print((records.count > 1 ? "\n" : "") + table(info), terminator: "") }
            } catch {
                failures += 1
                let reason = CLIMessage.reason(for: error, subject: file)
                records.append(.failure(file: file, error: reason))
                printError("soundprofile info: \(file): \(reason)")
            }
        }
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var data = try encoder.encode(records)
            data.append(UInt8(ascii: "\n"))
            FileOutput.standardOutput.write(data)
        }
        if failures > 0 {
            printError("soundprofile info: \(failures) of \(files.count) files could not be read")
            throw ExitCode(1)
        }
    }

    private func table(_ info: AudioFileInfo) -> String {
        func row(_ name: String, _ l: AudioFileInfo.Levels) -> String {
            "  " + (name.count >= 10 ? String(name.prefix(10)) : name + String(repeating: " ", count: 10 - name.count))
                + [l.peakDBFS, l.rmsDBFS, l.peakDBSPL, l.rmsDBSPL].map { formatted($0, 2).leftPadded(to: 10) }.joined() + "\n"
        }
        var text = "\(info.file)\n"
        text += "  format      \(info.container), \(info.encoding)\n"
        text += "  rate        \(info.sampleRate) Hz\n"
        text += "  channels    \(info.channelCount)\n"
        let length = info.frameCount == 0 ? "holds no samples: the levels below are the silence floor"
            : info.durationSeconds < 1 ? "\(formatted(info.durationSeconds * 1000, 3)) ms" : "\(formatted(info.durationSeconds, 3)) s"
        text += "  frames      \(info.frameCount) (\(length))\n"
        text += "  calibration full scale (RMS 1.0) = \(formatted(info.fullScaleDBSPL, 1)) dB SPL\n"
        if info.nonFiniteSamples > 0 { text += "  non-finite  \(info.nonFiniteSamples) samples (NaN or infinite; left out of the levels)\n" }
        text += "            " + ["peak dBFS", "RMS dBFS", "peak SPL", "RMS SPL"].map { $0.leftPadded(to: 10) }.joined() + "\n"
        for l in info.channels { text += row("channel \(l.channel ?? 0)", l) }
        if info.channelCount > 1 { text += row("overall", info.overall) }
        return text
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
