import ArgumentParser
import Foundation

/// The `soundprofile` command: sound profiles for hearing pods from the command line.
///
/// Exit codes, for every subcommand: 0 success; 1 the work failed (a bad input file, some files
/// of a batch failed); 2 usage error (unknown option, value out of range); 130 interrupted.
@main
struct SoundProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soundprofile",
        abstract: "Sound profiles for hearing pods: FFT band analysis, prescriptions and WDRC.",
        discussion: "Exit status: 0 success, 1 failure (some input could not be processed), 2 usage error, 130 interrupted.",
        subcommands: [AnalyzeCommand.self, ProcessCommand.self] // each subcommand lives in its own file: <Name>Command.swift
    )

    /// Parses and runs, mapping ArgumentParser's usage errors (its default exit code is 64) to 2.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Writes a line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes `data` to `path` atomically: a temporary file in the same directory, then rename, so a
/// reader never sees a half-written file and a failure leaves nothing behind.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    try data.write(to: url, options: .atomic)
}
