import Foundation
import Testing

/// Every README command block marked `<!-- readme-test -->` runs as written, with bash
/// (`set -eu`: a failing command stops the block; a pipe is judged by its last command, as a
/// user's shell does), in a fresh folder holding a link to Fixtures/, with `BIN=` pointing at
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
        if block.contains("curl") {
            // The service example: needs curl and the port it documents.
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") || FileManager.default.isExecutableFile(atPath: "/bin/curl") else {
                print("ReadmeCommandTests: README block \(index) skipped: curl is not installed"); return
            }
            guard Self.portIsFree(8080) else {
                print("ReadmeCommandTests: README block \(index) skipped: port 8080 is in use"); return
            }
        }
        let bin = CLI.productsDirectory.appendingPathComponent("soundprofile").path
        // Harness lines only: stop any background job the block leaves (a server) when it ends.
        let script = "trap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n" + block.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix("BIN=") ? "BIN='\(bin)'" : String($0) }.joined(separator: "\n")
        let result = try await offThePool { try Self.bash(script, in: dir, home: home) }
        #expect(result.status == 0, "README block \(index) failed (exit \(result.status)):\n\(block)\n--- stderr:\n\(result.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(Set(left).isSubset(of: ["Fixtures", "home", "out"]), "README block \(index) wrote outside out/: \(left)")
        if block.contains("curl") {
            // What the README's comments say the service answers.
            for answer in [#"{"status":"ready"}"#, #""rule":"nal-r""#, "0000000 53 50 47 54 01 02 13 00", #""contentHash""#] {
                #expect(result.stdout.contains(answer), "README block \(index): no \(answer) in\n\(result.stdout)")
            }
        }
        if block.contains("--generate-completion-script") {
            let bash = try String(contentsOf: home.appendingPathComponent(".local/share/bash-completion/completions/soundprofile"), encoding: .utf8)
            #expect(bash.contains("analyze") && bash.contains("process"))
        }
    }

    static func bash(_ script: String, in directory: URL, home: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        // At most 10 minutes, so a block that waits for something that never comes cannot hang the run.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["600", "/bin/bash", "-eu", "-c", script]
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = home.path
        process.environment = env
        // Files, not pipes: a background server inherits them and may outlive the script briefly.
        let out = directory.appendingPathComponent(".readme-stdout"), err = directory.appendingPathComponent(".readme-stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: try Data(contentsOf: out), as: UTF8.self),
                String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}

extension ReadmeCommandTests {
    /// Whether nothing listens on 127.0.0.1:`port` (a connect that fails).
    static func portIsFree(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return connected != 0
    }
}
