import ArgumentParser
import SoundProfileIO

extension SoundProfileCommand {
    /// The exit code of a usage error (bad option, bad value, missing argument): 2, as the
    /// project's CLI convention and most Unix tools use. ArgumentParser's own default is
    /// EX_USAGE (64).
    static let usageExitCode: Int32 = 2

    /// The `_superCommandName` of the subcommands ``parseSubcommandDirectly(_:)`` parses as a
    /// root. ArgumentParser skips its completion-script check (two extra parses by reflection,
    /// 2–3 M instructions of a short run) for a root command that names a super-command. The
    /// check is not lost: `--generate-completion-script` is an unknown option of every
    /// subcommand, so the direct parse fails and the full parse from the real root (which has no
    /// super-command) handles it. Only a root's super-command shows in help and usage text, and
    /// the subcommands are never the root there.
    static let directParseSuperCommand = "soundprofile"

    /// The subcommands that are `AsyncParsableCommand`s (run with `await`); every other command
    /// runs with `run()`. A test checks the list against the subcommands' conformances.
    static let asyncCommands: [any ParsableCommand.Type] = [AnalyzeCommand.self]

    /// The subcommand `arguments` name, parsed as if it were the root command, or nil when the
    /// first argument is not a subcommand's name or that parse fails in any way.
    ///
    /// ArgumentParser builds each command's argument set by reflection several times per parse
    /// (completion-script check, pass-through check, parse), and from the root it builds the
    /// subcommand's once more: about 3 M instructions of a 27 M short run. When this direct
    /// parse succeeds it gives the command the full parse would (the root has no options of its
    /// own); whenever it fails — help, a completion-script request, any usage error, a nested
    /// subcommand — the caller parses again from the root, so every message and exit status is
    /// the full parser's.
    static func parseSubcommandDirectly(_ arguments: [String]) -> (any ParsableCommand)? {
        guard let name = arguments.first,
              let subcommand = configuration.subcommands.first(where: { $0._commandName == name })
        else { return nil }
        // `--help` parses into ArgumentParser's help command rather than throwing: only the
        // subcommand itself counts as success.
        guard let parsed = try? subcommand.parseAsRoot(Array(arguments.dropFirst())),
              type(of: parsed) == subcommand
        else { return nil }
        return parsed
    }

    /// Runs the command line as ArgumentParser's `main()` does, except that every error is
    /// reported in the one style, `soundprofile <command>: <file>: <reason>` (see CLIError.swift),
    /// and usage errors exit with ``usageExitCode`` (after the usage text).
    static func main() async {
        ServiceSubcommand.handOverIfNeeded(CommandLine.arguments)  // serve, migrate, token, seed-demo
        let name = commandPath(CommandLine.arguments)
        var command: any ParsableCommand
        if let direct = parseSubcommandDirectly(Array(CommandLine.arguments.dropFirst())) {
            command = direct
        } else {
            do {
                command = try parseAsRoot()
            } catch {
                exitForArgumentParser(error, command: name)
            }
        }
        // FFTW plans from earlier runs (see FFTWisdomCache); written back after the run.
        let wisdom = FFTWisdomCache.load()
        do {
            defer { wisdom.save() }  // also when the run fails: its plans are as good
            // Only the listed types are cast: a cast to a protocol the type does not conform to
            // scans every conformance record of the binary (about 0.35 M instructions).
            if asyncCommands.contains(where: { ObjectIdentifier($0) == ObjectIdentifier(type(of: command)) }),
               var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as CLIError {
            printError(CLIMessage.line(name, error.subject, error.reason))
            exit(withError: ExitCode(error.exitCode))
        } catch let error as ExitCode {
            exit(withError: error)
        } catch {
            // Help, usage errors and the like (ArgumentParser runs --help as a command that throws).
            if error is CleanExit || exitCode(for: error) != .failure { exitForArgumentParser(error, command: name) }
            // Anything else still gets the one style, never a Foundation dump.
            printError(CLIMessage.line(name, nil, CLIMessage.reason(for: error)))
            exit(withError: ExitCode(1))
        }
    }

    /// Ends the program for an ArgumentParser error: a usage error prints
    /// `soundprofile <command>: <message>` and the usage, and exits 2; help and the like exit as
    /// ArgumentParser does.
    static func exitForArgumentParser(_ error: any Error, command: String) -> Never {
        guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
        var message = fullMessage(for: error)
        if message.hasPrefix("Error: ") { message = CLIMessage.line(command, nil, String(message.dropFirst("Error: ".count))) }
        printError(message)
        exit(withError: ExitCode(usageExitCode))  // an ExitCode prints nothing more
    }

    /// The command a command line names, as messages show it: `fit`, `plot audiogram`, or
    /// empty when there is none.
    static func commandPath(_ arguments: [String]) -> String {
        var path: [String] = []
        var level: [any ParsableCommand.Type] = configuration.subcommands
        for argument in arguments.dropFirst() {
            guard let match = level.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            level = match.configuration.subcommands
        }
        return path.joined(separator: " ")
    }
}
