import Foundation
import Testing

/// Every README command block marked `<!-- readme-test -->` runs as written, with bash
/// (`set -euo pipefail`), in a fresh folder holding a link to Fixtures/, with `BIN=` pointing at
/// this build's `soundprofile` and HOME at a scratch folder (the completion install lines write
/// there). The blocks may write only into `out/` (covered by .gitignore) and HOME.
@Suite struct ReadmeCommandTests {
    static let readme: String = (try? String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)) ?? ""

    /// The marked blocks, in README order.
    static let blocks: [String] = {
        var found: [String] = []
        var rest = readme[...]
        while let marker = rest.range(of: "<!-- readme-test -->\n```bash\n") {
            let body = rest[marker.upperBound...]
            guard let end = body.range(of: "\n```") else { break }
            found.append(String(body[..<end.lowerBound]))
            rest = body[end.upperBound...]
        }
        return found
    }()

    @Test func theCommandSectionsAreMarked() {
        // analyze/merge/fit/process/verify, info/stdin/resample, completions, pictures.
        #expect(Self.blocks.count >= 4, "README.md has \(Self.blocks.count) blocks marked <!-- readme-test -->")
        let all = Self.blocks.joined(separator: "\n")
        for command in ["analyze", "merge", "fit", "process", "verify", "plot", "info", "--version", "--resample", "--generate-completion-script"] {
            #expect(all.contains(command), "no tested README block runs \(command)")
        }
    }

    @Test func scratchFolderIsIgnoredByGit() throws {
        let ignore = try String(contentsOf: CLI.packageRoot.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(ignore.split(separator: "\n").contains("/out/"))
    }

    @Test(arguments: Array(blocks.indices))
    func blockRunsAsWritten(index: Int) async throws {
        let block = Self.blocks[index]
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createSymbolicLink(at: dir.appendingPathComponent("Fixtures"), withDestinationURL: CLI.packageRoot.appendingPathComponent("Fixtures"))
        let home = dir.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let bin = CLI.productsDirectory.appendingPathComponent("soundprofile").path
        let script = block.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("BIN=") ? "BIN='\(bin)'" : String($0) }.joined(separator: "\n")
        let result = try await offThePool { try Self.bash(script, in: dir, home: home) }
        #expect(result.status == 0, "README block \(index) failed (exit \(result.status)):\n\(block)\n--- stderr:\n\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(Set(left).isSubset(of: ["Fixtures", "home", "out"]), "README block \(index) wrote outside out/: \(left)")
        if block.contains("--generate-completion-script") {
            let bash = try String(contentsOf: home.appendingPathComponent(".local/share/bash-completion/completions/soundprofile"), encoding: .utf8)
            #expect(bash.contains("analyze") && bash.contains("process"))
        }
    }

    static func bash(_ script: String, in directory: URL, home: URL) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-euo", "pipefail", "-c", script]
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        process.environment = env
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
