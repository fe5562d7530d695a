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

/// The service subcommands, which run in the `soundprofile-service` executable.
///
/// `soundprofile serve …` (and `migrate`, `token`, `seed-demo`, and `help` of any of them)
/// replaces this process with `soundprofile-service serve …` from the same folder, so the
/// service keeps this process's id, standard streams and signals, and its exit status is the
/// command's. The types below only name the subcommands in `soundprofile --help`; they never
/// parse or run.
enum ServiceSubcommand {
    /// The subcommand names `soundprofile-service` runs, with their one-line summaries.
    static let names: [String: String] = [
        "serve": "Run the HTTP service (SQLite file in the data directory by default, or PostgreSQL).",
        "migrate": "Apply pending database migrations (serve also applies them at start-up).",
        "token": "Bearer tokens for the HTTP service.",
        "seed-demo": "Fill the database with demo users, audiograms and NAL-R profiles (skips users that already exist).",
    ]

    /// The sibling executable's path: next to this one (resolved through /proc/self/exe, so a
    /// symlink to `soundprofile` on PATH still finds it).
    static var executablePath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let me = n > 0 ? String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
        let folder = PathText.deletingLastComponent(me)
        return (folder.isEmpty ? "." : folder) + "/soundprofile-service"
    }

    /// If the command line names a service subcommand, execs `soundprofile-service` with the same
    /// arguments; returns only when it does not (or prints why the exec failed and exits 1).
    static func handOverIfNeeded(_ arguments: [String]) {
        guard arguments.count >= 2 else { return }
        let first = arguments[1]
        let named = names[first] != nil || (first == "help" && arguments.count >= 3 && names[arguments[2]] != nil)
        guard named else { return }
        let path = executablePath
        let argv = ["soundprofile"] + arguments.dropFirst()
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        execv(path, &cArgs)
        let reason = String(cString: strerror(errno))
        FileOutput.standardError.write(("soundprofile \(first): cannot run \(path): \(reason) (build it with: swift build --product soundprofile-service)\n".utf8))
        exit(1)
    }
}

// Entries for `soundprofile --help`; the real commands are in Sources/soundprofile-service.
struct ServeSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: ServiceSubcommand.names["serve"]!)
}

struct MigrateSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: ServiceSubcommand.names["migrate"]!)
}

struct TokenSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token", abstract: ServiceSubcommand.names["token"]!)
}

struct SeedDemoSubcommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed-demo", abstract: ServiceSubcommand.names["seed-demo"]!)
}
