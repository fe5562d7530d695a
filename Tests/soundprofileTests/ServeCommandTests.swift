import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import Crypto

@Suite struct ServeCommandTests {
    /// Waits (bounded: 15 s) until `base`/healthz answers 200.
    static func answersHealthz(_ base: URL) async throws -> Bool {
        for _ in 0..<150 {
            if let (_, response) = try? await URLSession.shared.data(from: base.appendingPathComponent("healthz")),
               (response as? HTTPURLResponse)?.statusCode == 200 { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// `serve` on a loopback port: an authenticated request works, SIGTERM shuts it down with
    /// status 0, and neither the token nor the JWT secret ever reaches its output.
    @Test func servesStopsCleanlyOnSIGTERMAndLogsNoSecrets() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try CLI.freePort()
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

        let base = URL(string: "http://127.0.0.1:\(port)")!
        let ready = try await Self.answersHealthz(base)
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
                      (["serve", "--max-upload-mib", "0"], "--max-upload-mib 0"),
                      (["serve", "--jwks", "jwks.json"], "--issuer, --audience missing: --jwks, --issuer and --audience are given together"),
                      (["serve", "--jwks", "jwks.json", "--issuer", "i", "--audience", "a", "--user-claim", "name"],
                       "--user-claim name is not allowed: it must be email or sub"),
                      (["serve", "--jwks", "http://", "--issuer", "i", "--audience", "a"], "--jwks http:// is not a usable URL")])
    func badOptionsExit2(args: [String], mention: String) throws {
        let r = try CLI.run(args)
        #expect(r.status == 2)
        #expect(r.stderr.contains(mention))
    }

    /// `serve --jwks FILE --issuer … --audience …` (the README's form): an ES256 token of the
    /// provider, for a user created with an admin token, is accepted; a key set that cannot be
    /// read stops `serve` at start with the reason.
    @Test func serveAcceptsProviderTokensFromAJWKSFile() async throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let key = P256.Signing.PrivateKey()
        let point = key.publicKey.x963Representation
        func b64(_ data: some DataProtocol) -> String {
            Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
        }
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"k1","use":"sig","x":"\#(b64(point.dropFirst().prefix(32)))","y":"\#(b64(point.dropFirst(33)))"}]}"#
        try Data(jwks.utf8).write(to: dir.appendingPathComponent("jwks.json"))

        let missing = try CLI.run(["serve", "--jwks", "absent.json", "--issuer", "https://id.example.test", "--audience", "pods"], in: dir)
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot start: --jwks: cannot read JWKS file absent.json: no such file"), "\(missing.stderr)")

        let port = try CLI.freePort()
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
        process.arguments = ["serve", "--port", "\(port)", "--jwks", "jwks.json", "--issuer", "https://id.example.test", "--audience", "pods"]
        process.currentDirectoryURL = dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let base = URL(string: "http://127.0.0.1:\(port)")!
        let ready = try await Self.answersHealthz(base)
        try #require(ready, "serve --jwks did not start")
        func send(_ path: String, token: String, body: String? = nil) async throws -> (Int, String) {
            var request = URLRequest(url: base.appendingPathComponent(path))
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            if let body {
                request.httpMethod = "POST"
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        let admin = try CLI.run(["token", "create", "--user", "00000000-0000-0000-0000-000000000001", "--admin"], in: dir)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (created, user) = try await send("v1/users", token: admin, body: #"{"email":"ada@example.com","fullName":"Ada"}"#)
        #expect(created == 201, "\(user)")
        let id = try #require((try JSONSerialization.jsonObject(with: Data(user.utf8)) as? [String: Any])?["id"] as? String)

        func token(kid: String) throws -> String {
            let now = Int(Date().timeIntervalSince1970)
            let input = b64(Data(#"{"alg":"ES256","kid":"\#(kid)","typ":"JWT"}"#.utf8)) + "."
                + b64(Data(#"{"aud":"pods","email":"ada@example.com","exp":\#(now + 300),"iat":\#(now),"iss":"https://id.example.test","sub":"ada"}"#.utf8))
            return input + "." + b64(try key.signature(for: Data(input.utf8)).rawRepresentation)
        }
        let (ok, body) = try await send("v1/users/\(id)", token: try token(kid: "k1"))
        #expect(ok == 200, "\(body)")
        let (refused, reason) = try await send("v1/users/\(id)", token: try token(kid: "k2"))
        #expect(refused == 401)
        #expect(reason.contains(#"token key id \"k2\" is not in the identity provider's key set (JWKS)"#), "\(reason)")
    }
}
