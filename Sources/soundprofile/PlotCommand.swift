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

/// `soundprofile plot`: pictures as self-contained SVG.
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw an audiogram, a fitted profile or an analysis result as a self-contained SVG picture.",
        discussion: """
        The SVG has no scripts and no external fonts or files: open it in a browser, print it, or convert \
        it (rsvg-convert, Chromium). It goes to standard output, or to --output (written atomically). \
        `soundprofile verify --plot FILE.svg` draws the test-box sheet.

        Exit status: 0 written; 1 the input could not be read; 2 usage error.
        """,
        subcommands: [PlotAudiogram.self, PlotProfile.self, PlotAnalysis.self])
}

/// Writes an SVG picture to `output` (atomically; a failure is a `CLIFileError` naming it) or
/// standard output.
private func emit(_ picture: SVGPicture, to output: String?) throws {
    let data = Data(picture.svg.utf8)
    if let output {
        try writeAtomically(data, to: output)
    } else {
        FileOutput.standardOutput.write(data)
    }
}

struct PlotAudiogram: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audiogram",
        abstract: "The audiogram: log frequency 125–8000 Hz, dB HL downward, right ear red O, left ear blue X (600 × 620 px).")

    @Argument(help: ArgumentHelp("The audiogram JSON file (`-` for standard input).", valueName: "file"))
    var file: String

    @Option(name: [.short, .long], help: ArgumentHelp("Write the SVG here instead of standard output.", valueName: "file.svg"))
    var output: String?

    func run() throws {
        if let output { try refuseWritingOverInput(output, inputs: [file]) }
        let audiogram = try UserDocument.audiogram(at: file, profileHint: "draw it with `soundprofile plot profile`")
        try emit(Pictures.audiogram(audiogram, title: "Audiogram: " + URL(fileURLWithPath: file).lastPathComponent), to: output)
    }
}

struct PlotProfile: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "A fitted profile: per ear the targets and the realised insertion gain (LTASS 65 dB SPL, measured on the processor), and each channel's input/output curve.")

    @Argument(help: ArgumentHelp("The fitted profile JSON (from `soundprofile fit`; `-` for standard input).", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("The preset the realised gain is measured with: pod16k, pod24k or studio48k. Default: the profile's preset, else pod24k.", valueName: "name"), completion: .list(["pod16k", "pod24k", "studio48k"]))
    var preset: String?

    @Flag(help: "Draw the targets and curves only; do not run the processor.")
    var noRealised = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write the SVG here instead of standard output.", valueName: "file.svg"))
    var output: String?

    func validate() throws {
        if let preset, ProcessorConfiguration.preset(named: preset) == nil {
            throw ValidationError("--preset \(preset) is not allowed: it must be one of \(ProcessorConfiguration.presets.map { $0.name! }.joined(separator: ", "))")
        }
    }

    func run() throws {
        if let output { try refuseWritingOverInput(output, inputs: [file]) }
        let profile = try UserDocument.profile(at: file)
        var realised: [Ear: [VerificationReport.InsertionGainCurve]] = [:]
        do {
            if !noRealised, let configuration = ProcessorConfiguration.preset(named: preset ?? profile.preset ?? "pod24k") {
                for ear in Ear.allCases where profile[ear] != nil {
                    realised[ear] = [try TestBox(profile: profile, ear: ear, configuration: configuration).measureInsertionGain(speechDBSPL: 65)]
                }
            }
            let title = "Profile: " + URL(fileURLWithPath: file).lastPathComponent
            try emit(Pictures.profile(profile, realised: realised, title: title), to: output)
        } catch let error as CLIFileError {
            throw error
        } catch {
            throw CLIError(file, CLIMessage.reason(for: error))
        }
    }
}

struct PlotAnalysis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "An analysis result (analyze --format json or jsonl): Leq per band with the L10–L90 range shaded, per file and channel.")

    @Argument(help: ArgumentHelp("The analysis result JSON or JSON lines (`-` for standard input).", valueName: "result.json"))
    var file: String

    @Option(name: [.short, .long], help: ArgumentHelp("Write the SVG here instead of standard output.", valueName: "file.svg"))
    var output: String?

    func run() throws {
        if let output { try refuseWritingOverInput(output, inputs: [file]) }
        let data = try readUserFile(file)
        let picture: SVGPicture
        do {
            picture = try Pictures.analysis(data, title: "Analysis: " + URL(fileURLWithPath: file).lastPathComponent)
        } catch {
            switch UserDocument.kind(of: data) {
            case .audiogram: throw CLIError(file, "this is an audiogram, not an analysis result; draw it with `soundprofile plot audiogram`")
            case .profile: throw CLIError(file, "this is a fitted profile, not an analysis result; draw it with `soundprofile plot profile`")
            case .analysis, .array, .other: throw CLIError(file, CLIMessage.reason(for: error))
            }
        }
        try emit(picture, to: output)
    }
}
