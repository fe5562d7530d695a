import ArgumentParser
import SoundProfileIO

extension SoundProfileCommand {
    /// The exit code of a usage error (bad option, bad value, missing argument): 2, as the
    /// project's CLI convention and most Unix tools use. ArgumentParser's own default is
    /// EX_USAGE (64).
    static let usageExitCode: Int32 = 2

    /// The subcommand `arguments` name, parsed as if it were the root command, or nil when the
    /// first argument is not a subcommand's name or that parse fails in any way.
    ///
    /// ArgumentParser builds each command's argument set by reflection several times per parse
    /// (completion-script check, pass-through check, parse), and from the root it builds the
    /// subcommand's once more; about 15 M instructions of a 30 M short run. When this direct
    /// parse succeeds it gives the command the full parse would (the root has no options of its
    /// own); whenever it fails — help, a completion-script request, any usage error — the caller
    /// parses again from the root, so every message and exit status is the full parser's.
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

    /// Runs the command line as ArgumentParser's `main()` does, except that usage errors exit
    /// with ``usageExitCode`` (after printing ArgumentParser's message and usage to stderr).
    static func main() async {
        ServiceSubcommand.handOverIfNeeded(CommandLine.arguments)  // serve, migrate, token, seed-demo
        // FFTW plans from earlier runs (see FFTWisdomCache); written back after the run.
        let wisdom = FFTWisdomCache.load()
        do {
            var command: any ParsableCommand
            if let direct = parseSubcommandDirectly(Array(CommandLine.arguments.dropFirst())) {
                command = direct
            } else {
                command = try parseAsRoot()
            }
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            wisdom.save()
        } catch {
            wisdom.save()
            if exitCode(for: error) == .validationFailure {
                printError(fullMessage(for: error))
                exit(withError: ExitCode(usageExitCode))  // an ExitCode prints nothing more
            }
            exit(withError: error)
        }
    }
}
