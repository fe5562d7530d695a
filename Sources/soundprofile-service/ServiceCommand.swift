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

    /// As `soundprofile`'s main: usage errors exit with 2 rather than ArgumentParser's 64, and
    /// errors read `soundprofile <command>: <reason>` (the CLI's one style), not "Error: …".
    static func main() async {
        var path: [String] = []
        var level: [any ParsableCommand.Type] = configuration.subcommands
        for argument in CommandLine.arguments.dropFirst() {
            guard let match = level.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            level = match.configuration.subcommands
        }
        let prefix = path.isEmpty ? "soundprofile: " : "soundprofile \(path.joined(separator: " ")): "
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode { exit(withError: error) }  // help, or already reported
            if code == .validationFailure {
                var message = fullMessage(for: error)
                if message.hasPrefix("Error: ") { message = prefix + message.dropFirst("Error: ".count) }
                printError(message)
                exit(withError: ExitCode(2))
            }
            // Foundation errors in words, not "Error Domain=NSCocoaErrorDomain …".
            let ns = error as NSError
            let foundation = ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain
            printError(prefix + (foundation ? ns.localizedDescription : String(describing: error)))
            exit(withError: code)
        }
    }
}

/// Writes `message` and a newline to standard error (as `soundprofile`'s helper of that name).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}
