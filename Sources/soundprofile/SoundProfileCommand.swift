import ArgumentParser

/// The `soundprofile` command: sound profiles for hearing pods from the command line.
@main
struct SoundProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soundprofile",
        abstract: "Sound profiles for hearing pods: FFT band analysis, prescriptions and WDRC.",
        // each subcommand lives in its own file: <Name>Command.swift
        subcommands: [ServeCommand.self, MigrateCommand.self, TokenCommand.self, SeedDemoCommand.self]
    )
}
