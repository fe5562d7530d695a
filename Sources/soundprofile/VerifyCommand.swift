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

/// `soundprofile verify`: measures a fitting in the virtual test box (the real processor).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", _superCommandName: SoundProfileCommand.directParseSuperCommand,
        abstract: "Measure a fitted profile like a hearing aid in a test box (ANSI S3.22 style), with the real processor.",
        discussion: """
        Runs the streaming ProfileProcessor of the preset on test signals and measures its output: OSPL90 \
        (90 dB SPL tones, third-octaves 200 Hz–min(8 kHz, 0.45·fs)), full-on gain (50 dB SPL) and the \
        frequency response (60 dB SPL), insertion gain for LTASS-shaped noise at 55/65/80 dB SPL per \
        third-octave next to the prescription (targets plus the channel's compression), input/output curves \
        at 500/1000/2000/4000 Hz (40–100 dB SPL), attack and release at 2 kHz (ANSI S3.22, 55↔90 dB SPL), \
        THD at 500/800/1600 Hz (70 dB SPL), the latency and the group delay at 500/1000/4000 Hz.

        Checks: "fitting" checks use your tolerances (--tolerance, --max-thd, --time-tolerance) over \
        315 Hz–min(6 kHz, 0.4·fs), and OSPL90 ≤ channel MPO + 2 dB; "pod-path" checks are this project's \
        own limits (LTASS ±1.0 dB at 65, ±1.5 dB at 55/80 dB SPL; tones ±1.0 dB, 500 Hz ±1.5, pod16k ±2.0).

        Exit status: 0 every fitting check passed (with --strict: pod-path checks too); 1 a check failed, \
        or the profile could not be read or measured; 2 usage error.
        """)

    enum Format: String, ArgumentEnum { case table, json }

    @Option(help: ArgumentHelp("Fitted profile JSON (from `soundprofile fit`; `-` for standard input).", valueName: "file"))
    var profile: String

    @Option(help: "Which ear to measure: right or left. Default: the right ear when the profile has one, else the left.")
    var ear: EarOption?

    @Option(help: ArgumentHelp("The processor preset: pod16k, pod24k or studio48k. Default: the profile's preset (fit --preset), else pod24k.", valueName: "name"), completion: .list(["pod16k", "pod24k", "studio48k"]))
    var preset: String?

    @Option(help: "Output format: table (the sheet, for reading) or json (every curve).")
    var format: Format = .table

    @Option(help: ArgumentHelp("Also write the test-box sheet as SVG to this file.", valueName: "file.svg"))
    var plot: String?

    @Option(help: ArgumentHelp("Response vs prescription, ± dB (0.1…40).", valueName: "dB"))
    var tolerance: Double = 3

    @Option(name: .customLong("max-thd"), help: ArgumentHelp("Largest THD at 70 dB SPL, in % (0.01…100).", valueName: "percent"))
    var maxTHD: Double = 5

    @Option(name: .customLong("time-tolerance"), help: ArgumentHelp("Attack/release vs fitted, ± % (1…1000).", valueName: "percent"))
    var timeTolerance: Double = 20

    @Flag(help: "Exit 1 when a pod-path check fails, too.")
    var strict = false

    func tolerances() throws -> VerificationTolerances {
        var t = VerificationTolerances()
        for (flag, value, range) in [("--tolerance", tolerance, 0.1...40), ("--max-thd", maxTHD, 0.01...100), ("--time-tolerance", timeTolerance, 1...1000)] {
            guard value.isFinite, range.contains(value) else {
                throw ValidationError("\(flag) \(value) is not allowed: it must be \(cFormat("%g", range.lowerBound))…\(cFormat("%g", range.upperBound))")
            }
        }
        t.responseDB = tolerance
        t.maximumTHDPercent = maxTHD
        t.timePercent = timeTolerance
        return t
    }

    func validate() throws {
        _ = try tolerances()
        if let preset, ProcessorConfiguration.preset(named: preset) == nil {
            throw ValidationError("--preset \(preset) is not allowed: it must be one of \(ProcessorConfiguration.presets.map { $0.name! }.joined(separator: ", "))")
        }
        if let plot, plot.isEmpty { throw ValidationError("--plot must name a file") }
        if plot == StandardInput.name {
            throw ValidationError("--plot - is not allowed: standard output carries the report; name an .svg file")
        }
    }

    func run() throws {
        if let plot { try refuseWritingOverInput(plot, inputs: [profile]) }
        let fitted = try UserDocument.profile(at: profile)
        let ear = self.ear?.ear ?? (fitted[.right] != nil ? .right : .left)
        guard fitted[ear] != nil else {
            throw CLIError(profile, "--ear \(ear.rawValue): the profile has no \(ear.rawValue) ear (it has: \(Ear.allCases.filter { fitted[$0] != nil }.map(\.rawValue).joined(separator: ", ")))")
        }
        let name = preset ?? fitted.preset ?? "pod24k"
        guard let configuration = ProcessorConfiguration.preset(named: name) else {
            throw CLIError(profile, "the profile's preset \(name) is not known: use --preset with one of \(ProcessorConfiguration.presets.map { $0.name! }.joined(separator: ", "))")
        }
        let report: VerificationReport
        do {
            report = try TestBox(profile: fitted, ear: ear, configuration: configuration, tolerances: tolerances()).run()
        } catch {
            throw CLIError(profile, CLIMessage.reason(for: error))
        }
        if report.refitted {
            printError("soundprofile verify: note: the profile's bands are not \(name)'s channels, so it was refitted into them (fit with --preset \(name) to fit in them directly)")
        }
        if let plot {
            try writeAtomically(Data(Pictures.verification(report).svg.utf8), to: plot)  // a CLIFileError naming it
        }
        switch format {
        case .table:
            FileOutput.standardOutput.write(report.table())
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            var data = try encoder.encode(report)
            data.append(UInt8(ascii: "\n"))
            FileOutput.standardOutput.write(data)
        }
        if !report.passes(kind: "fitting") || (strict && !report.passes(kind: "pod-path")) { throw ExitCode(1) }
    }
}

/// An ear on the command line.
enum EarOption: String, ArgumentEnum {
    case right, left
    var ear: Ear { self == .right ? .right : .left }
}
