import ArgumentParser
import SoundProfileIO
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

/// `soundprofile fit`: audiogram file → fitted sound profile (JSON or a table for clinicians).
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", _superCommandName: SoundProfileCommand.directParseSuperCommand,
        abstract: "Fit a sound profile (per-band WDRC) to an audiogram.",
        discussion: """
            Reads an audiogram file ({"right": {"250": 20, …}, "left": {…}}: dB HL by frequency in Hz), \
            prescribes target insertion gains with the chosen rule and builds per-band compression: \
            gain at the band level of 65 dB SPL speech = the prescription, kneepoint at the band level \
            of 40 dB SPL speech, expansion 15 dB below the kneepoint (ratio 0.5), \
            MPO min(120, 100 + 0.2·HTL) dB SPL, attack 5 ms, release 50 ms.

            The audiogram file is read strictly: a key the format does not have ("lft") or a key given \
            twice is an error naming it.

            Exit status: 0 success; 1 invalid or unreadable audiogram, or unwritable output; 2 usage error.
            """
    )

    enum Format: String, ArgumentEnum {
        case json, table
    }

    @Option(help: ArgumentHelp("The audiogram JSON file (`-` for standard input).", valueName: "file"))
    var audiogram: String

    @Option(help: ArgumentHelp("The prescription rule: nal-r, nal-rp, half-gain or pogo.", valueName: "rule"), completion: .list(["nal-r", "nal-rp", "half-gain", "pogo"]))
    var rule: String = PrescriptionRule.nalR.rawValue

    // Optional, with the defaults applied in options(), so that --preset can refuse them:
    // a preset fixes its own channels, and silently fitting other bands than asked is worse.
    @Option(help: ArgumentHelp("The bands: third-octave, octave, erb:N or log:N (default: \(Self.defaultBands)).", valueName: "spec"), completion: .list(["third-octave", "octave", "erb:", "log:"]))
    var bands: String?

    @Option(help: ArgumentHelp("The frequency range of the bands in Hz, LOW-HIGH (default: \(Self.defaultRange)).", valueName: "low-high"))
    var range: String?

    static let defaultBands = "third-octave"
    static let defaultRange = "125-8000"

    @Option(help: ArgumentHelp("Fit in a processor preset's channels instead of --bands/--range: pod16k (8 channels), pod24k (12) or studio48k (16). The profile records the preset.", valueName: "name"), completion: .list(["pod16k", "pod24k", "studio48k"]))
    var preset: String?

    @Option(help: ArgumentHelp("The compression ratio in every band, 1…10.", valueName: "ratio"))
    var compressionRatio: Double = 2.0

    @Option(name: .customLong("full-scale-db-spl"),
            help: ArgumentHelp("The level in dB SPL of a signal with RMS 1.0, 0…200.", valueName: "dB SPL"))
    var fullScaleDBSPL: Double = 100

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file (atomically) instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Output format: json (the profile) or table (for reading).")
    var format: Format = .json

    /// The fitting options the command line asks for.
    /// - Throws: `ValidationError` naming the option, value and allowed range.
    func options() throws -> FittingOptions {
        guard let prescription = PrescriptionRule(rawValue: rule) else {
            throw ValidationError("--rule \(rule) is not known: it must be one of "
                + PrescriptionRule.allCases.map(\.rawValue).joined(separator: ", "))
        }
        var options = FittingOptions(rule: prescription)
        if let preset {
            guard let configuration = ProcessorConfiguration.preset(named: preset) else {
                throw ValidationError("--preset \(preset) is not allowed: it must be one of "
                    + ProcessorConfiguration.presets.map { $0.name! }.joined(separator: ", "))
            }
            let given = [bands.map { "--bands \($0)" }, range.map { "--range \($0)" }].compactMap { $0 }
            guard given.isEmpty else {
                throw ValidationError("\(given.joined(separator: " and ")) cannot be used with --preset \(preset): "
                    + "a preset fits in its own channels; leave out --preset to fit in other bands")
            }
            options.fitInChannels(of: configuration)
        } else {
            options.layout = try parseBandLayout(spec: bands ?? Self.defaultBands, range: range ?? Self.defaultRange)
        }
        options.compressionRatio = .same(compressionRatio)
        options.fullScaleDBSPL = fullScaleDBSPL
        do {
            try options.validate(bandCount: options.layout.count)
        } catch let error as FittingError {
            let flags = ["compressionRatio": "--compression-ratio", "fullScaleDBSPL": "--full-scale-db-spl"]
            if case .outOfRange(let field, let value, let allowed) = error, let flag = flags[field] {
                throw ValidationError("\(flag) \(value.formatted()) is not allowed: it must be \(allowed)")
            }
            throw ValidationError("\(error)")
        }
        return options
    }

    func validate() throws { _ = try options() }

    func run() throws {
        let options = try options()
        if let output { try refuseWritingOverInput(output, inputs: [self.audiogram]) }
        let audiogram = try UserDocument.audiogram(at: self.audiogram)
        let profile: SoundProfile
        do {
            profile = try SoundProfile.fit(audiogram: audiogram, options: options)
        } catch {
            throw CLIError(self.audiogram, CLIMessage.reason(for: error))
        }

        var data: Data
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(profile)
            data.append(UInt8(ascii: "\n"))
        case .table:
            data = Data(try FitTable(profile: profile, audiogramPath: self.audiogram, bandsSpec: preset.map { "\($0) channel" } ?? bands ?? Self.defaultBands, range: preset.map { _ in "0-\(Int(ProcessorConfiguration.preset(named: preset!)!.sampleRate / 2))" } ?? range ?? Self.defaultRange).render().utf8)
        }

        if let output {
            try writeAtomically(data, to: output)  // a CLIFileError naming the output
        } else {
            FileOutput.standardOutput.write(data)
        }
    }
}

private extension Double {
    /// Shortest decimal form without a trailing ".0" (12 → "12", 0.5 → "0.5").
    func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : String(self) }
}
