import ArgumentParser

/// The `soundprofile` command: sound profiles for hearing pods from the command line.
@main
struct SoundProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soundprofile",
        abstract: "Sound profiles for hearing pods: FFT band analysis, prescriptions and WDRC.",
        subcommands: [FitCommand.self] // each subcommand lives in its own file: <Name>Command.swift
    )
}
