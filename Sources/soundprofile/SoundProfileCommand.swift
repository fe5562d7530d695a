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

/// The `soundprofile` command: sound profiles for hearing pods from the command line.
///
/// Exit codes, for every subcommand: 0 success; 1 the work failed (a bad input file, some files
/// of a batch failed); 2 usage error (unknown option, value out of range); 130 interrupted.
/// `main()` (in SoundProfileCommand+Main.swift) maps ArgumentParser's usage errors to 2.
///
/// The batch commands (analyze, fit, process) live in this executable, which links only the DSP
/// and file layers. The service commands (serve, migrate, token, seed-demo) live in the
/// `soundprofile-service` executable next to it; `main()` hands them over with `exec` before
/// parsing anything (see ``ServiceSubcommand``).
@main
struct SoundProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soundprofile",
        abstract: "Sound profiles for hearing pods: FFT band analysis, prescriptions and WDRC.",
        discussion: "Exit status: 0 success, 1 failure (some input could not be processed), 2 usage error, 130 interrupted.",
        version: soundProfileVersion,
        // each subcommand lives in its own file: <Name>Command.swift
        subcommands: [
            AnalyzeCommand.self, MergeCommand.self, FitCommand.self, ProcessCommand.self,
            VerifyCommand.self, PlotCommand.self, InfoCommand.self,
            ServeSubcommand.self, MigrateSubcommand.self, TokenSubcommand.self, SeedDemoSubcommand.self,
        ]
    )
}
