import ArgumentParser
import Foundation
import SoundProfileDSP

/// The service half of the `soundprofile` command line: `serve`, `migrate`, `token` and
/// `seed-demo`, which need the HTTP and database stack.
///
/// Users type `soundprofile serve …`: the batch executable `soundprofile` (analyze, fit,
/// process) hands these subcommands to this executable, which sits next to it, with `exec` — so
/// the batch commands never load the service stack (its libraries' start-up and protocol
/// conformance look-ups were most of a short `analyze`'s cost). Exit codes are the same:
/// 0 success, 1 failure, 2 usage error.
@main
struct ServiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        // The name users type: messages and usage read "soundprofile serve …".
        commandName: "soundprofile",
        abstract: "The SoundProfile HTTP service and its administration.",
        discussion: "Exit status: 0 success, 1 failure, 2 usage error.",
        version: soundProfileVersion,
        subcommands: [ServeCommand.self, MigrateCommand.self, TokenCommand.self, SeedDemoCommand.self]
    )

    /// As `soundprofile`'s main: usage errors exit with 2 rather than ArgumentParser's 64.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

/// Writes `message` and a newline to standard error (as `soundprofile`'s helper of that name).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
