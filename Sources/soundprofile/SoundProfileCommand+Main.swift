import ArgumentParser

extension SoundProfileCommand {
    /// The exit code of a usage error (bad option, bad value, missing argument): 2, as the
    /// project's CLI convention and most Unix tools use. ArgumentParser's own default is
    /// EX_USAGE (64).
    static let usageExitCode: Int32 = 2

    /// Runs the command line as ArgumentParser's `main()` does, except that usage errors exit
    /// with ``usageExitCode`` (after printing ArgumentParser's message and usage to stderr).
    static func main() async {
        ServiceSubcommand.handOverIfNeeded(CommandLine.arguments)  // serve, migrate, token, seed-demo
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
                exit(withError: ExitCode(usageExitCode))  // an ExitCode prints nothing more
            }
            exit(withError: error)
        }
    }
}
