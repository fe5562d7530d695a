import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

@Suite struct ServeCommandTests {
    /// `serve` on a loopback port: an authenticated request works, SIGTERM shuts it down with
    /// status 0, and neither the token nor the JWT secret ever reaches its output.
    @Test func servesStopsCleanlyOnSIGTERMAndLogsNoSecrets() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = Int.random(in: 20000...40000)
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["serve", "--port", "\(port)", "--log-level", "debug"]
        process.currentDirectoryURL = dir
        let output = dir.appendingPathComponent("serve.log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let log = try FileHandle(forWritingTo: output)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Wait for the listener (bounded: 15 s).
        let base = URL(string: "http://127.0.0.1:\(port)")!
        var ready = false
        for _ in 0..<150 where !ready {
            if let (_, response) = try? await URLSession.shared.data(from: base.appendingPathComponent("healthz")),
               (response as? HTTPURLResponse)?.statusCode == 200 { ready = true } else { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "serve did not answer /healthz: \(String(decoding: (try? Data(contentsOf: output)) ?? Data(), as: UTF8.self))")

        let token = try CLI.run(["token", "create", "--user", "00000000-0000-0000-0000-000000000001", "--admin"], in: dir)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var request = URLRequest(url: base.appendingPathComponent("v1/users"))
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)

        process.interrupt()  // SIGINT; then SIGTERM as a service manager would
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        try log.close()
        #expect(process.terminationStatus == 0, "serve exited with \(process.terminationStatus)")
        let text = try String(contentsOf: output, encoding: .utf8)
        let secret = try String(contentsOf: dir.appendingPathComponent("soundprofile-data/jwt-secret"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(text.contains("/v1/users"), "the request was logged")
        #expect(!token.isEmpty && !text.contains(token), "the token appears in the log")
        #expect(!secret.isEmpty && !text.contains(secret), "the JWT secret appears in the log")
        #expect(!text.contains("Bearer"), "an Authorization header appears in the log")
    }

    @Test(arguments: [(["serve", "--port", "70000"], "--port 70000"), (["serve", "--log-level", "loud"], "--log-level loud"),
                      (["serve", "--max-upload-mib", "0"], "--max-upload-mib 0")])
    func badOptionsExit2(args: [String], mention: String) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(mention))
    }
}
