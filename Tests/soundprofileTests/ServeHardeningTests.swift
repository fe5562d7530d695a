import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Issue 11 on a live `serve` (loopback only, stopped by each test): start-up refusals in one
/// line, SIGTERM honoured during start-up, malformed framing → 400, the analysis cap → 503 with
/// Retry-After, and no query string or email in the logs.
@Suite(.serialized) struct ServeHardeningTests {
    /// A running `serve` on a random loopback port with its log file.
    final class Server {
        let process = Process()
        let dir: URL
        let port: Int
        let log: URL

        init(_ extra: [String] = [], environment: [String: String] = [:]) throws {
            port = try CLI.freePort()
            dir = try CLI.temporaryDirectory()
            log = dir.appendingPathComponent("serve.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.executableURL = CLI.productsDirectory.appendingPathComponent("soundprofile")
            process.arguments = ["serve", "--port", "\(port)"] + extra
            process.currentDirectoryURL = dir
            var env = ProcessInfo.processInfo.environment
            env["SOUNDPROFILE_JWT_SECRET"] = nil
            for (k, v) in environment { env[k] = v }
            process.environment = env
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
        }

        deinit {
            if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
            try? FileManager.default.removeItem(at: dir)
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        /// Waits (bounded: 20 s) until /healthz answers.
        func ready() async throws -> Bool {
            for _ in 0..<200 {
                if let (_, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/healthz")!),
                   (response as? HTTPURLResponse)?.statusCode == 200 { return true }
                if !process.isRunning { return false }
                try await Task.sleep(for: .milliseconds(100))
            }
            return false
        }

        func token() throws -> String {
            try CLI.run(["token", "create", "--user", "00000000-0000-0000-0000-000000000001", "--admin"], in: dir)
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Waits for the process to end, at most `seconds`; returns the seconds it took, or nil.
        func waitForExit(within seconds: Double) -> Double? {
            let start = Date()
            while process.isRunning {
                if Date().timeIntervalSince(start) > seconds { return nil }
                usleep(10_000)
            }
            return Date().timeIntervalSince(start)
        }
    }

    /// A raw TCP connection to 127.0.0.1:`port`.
    final class Connection {
        let fd: Int32
        init(port: Int) throws {
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard ok == 0 else { close(fd); throw POSIXError(.ECONNREFUSED) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd) }
        func send(_ text: String) { _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
        /// Reads until the peer closes or the status line and headers have arrived.
        func readHead() -> String {
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            while !String(decoding: data, as: UTF8.self).contains("\r\n\r\n") {
                let n = recv(fd, &buffer, buffer.count, 0)
                if n <= 0 { break }
                data += buffer.prefix(n)
            }
            return String(decoding: data, as: UTF8.self)
        }
    }

    @Test func aShortSigningSecretIsRefusedAtStart() throws {
        let server = try Server(environment: ["SOUNDPROFILE_JWT_SECRET": "x"])
        #expect(server.waitForExit(within: 20) != nil)
        #expect(server.process.terminationStatus == 1)
        #expect(server.output.contains("SOUNDPROFILE_JWT_SECRET holds 1 byte; the signing secret must be at least 32 bytes"), "\(server.output)")
    }

    @Test func anUnreachableDatabaseAtStartIsOneLineAndExit1() throws {
        let server = try Server(["--database", "postgres://sp:sp@127.0.0.1:1/sp"])
        let took = server.waitForExit(within: 20)
        #expect(took != nil && took! < 10, "took \(String(describing: took)) s")
        #expect(server.process.terminationStatus == 1)
        let lines = server.output.split(separator: "\n").filter { !$0.contains("starting") }
        #expect(lines.count == 1 && lines[0].hasPrefix("soundprofile serve: cannot start: the postgresql database at 127.0.0.1:1"), "\(server.output)")
    }

    /// A "database" that accepts connections and never answers: start-up gives up within 5 s,
    /// exit 1, one line.
    @Test func aSilentDatabaseAtStartIsExit1Too() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listener, 16)
        var bound = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) } }
        let dbPort = Int(UInt16(bigEndian: bound.sin_port))
        let server = try Server(["--database", "postgres://sp:sp@127.0.0.1:\(dbPort)/sp"])
        let took = server.waitForExit(within: 20)
        #expect(took != nil && took! < 6, "took \(String(describing: took)) s")
        #expect(server.process.terminationStatus == 1)
        #expect(server.output.contains("soundprofile serve: cannot start: the postgresql database at 127.0.0.1:\(dbPort)"), "\(server.output)")
    }

    /// Start-up waits for the migration lock another instance holds (here a psql session);
    /// SIGTERM still ends `serve` within 5 s.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SOUNDPROFILE_TEST_POSTGRES_URL"] != nil, "needs SOUNDPROFILE_TEST_POSTGRES_URL"))
    func sigtermIsHonouredWhileStartUpWaitsForTheMigrationLock() async throws {
        let url = ProcessInfo.processInfo.environment["SOUNDPROFILE_TEST_POSTGRES_URL"]!
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        holder.arguments = [url, "-q", "-c", "SELECT pg_advisory_lock(7262021001)", "-c", "SELECT pg_sleep(20) /* sp-lock-holder */"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer {
            // End the holding session at once: other tests migrate under the same lock.
            let end = Process()
            end.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
            end.arguments = [url, "-q", "-c", "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%sp-lock-holder%' AND pid <> pg_backend_pid()"]
            end.standardOutput = FileHandle.nullDevice
            end.standardError = FileHandle.nullDevice
            try? end.run()
            end.waitUntilExit()
            holder.waitUntilExit()
        }
        try await Task.sleep(for: .milliseconds(500))
        let server = try Server(["--database", url])
        try await Task.sleep(for: .seconds(2))
        #expect(server.process.isRunning, "start-up should be waiting for the lock: \(server.output)")
        kill(server.process.processIdentifier, SIGTERM)
        let took = server.waitForExit(within: 20)
        #expect(took != nil && took! < 5, "SIGTERM took \(String(describing: took)) s: \(server.output)")
    }

    @Test func malformedChunkedBodyIs400AndAnalysesBeyondTheCapAre503() async throws {
        let server = try Server(["--max-analyses", "1", "--log-level", "info"])
        #expect(try await server.ready(), "\(server.output)")
        let token = try server.token()
        let bad = try Connection(port: server.port)
        bad.send("POST /v1/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: audio/wav\r\n"
                 + "Transfer-Encoding: chunked\r\n\r\nZZZ-not-hex\r\nabc\r\n0\r\n\r\n")
        let head = bad.readHead()
        #expect(head.hasPrefix("HTTP/1.1 400"), "\(head)")

        // One upload that never finishes holds the only analysis slot …
        let slow = try Connection(port: server.port)
        slow.send("POST /v1/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: audio/wav\r\n"
                  + "Content-Length: 100000\r\n\r\nRIFF")
        try await Task.sleep(for: .milliseconds(500))
        // … so the next gets 503 with Retry-After at once.
        let next = try Connection(port: server.port)
        next.send("POST /v1/analyses HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nContent-Type: audio/wav\r\nContent-Length: 4\r\n\r\nRIFF")
        let refused = next.readHead()
        #expect(refused.hasPrefix("HTTP/1.1 503"), "\(refused)")
        #expect(refused.lowercased().contains("retry-after: 1"), "\(refused)")
        #expect(try await server.ready(), "the server still answers")

        // Logs carry the route pattern, never the query string or the address searched for.
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/v1/users/search?email=private.person%40example.com")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        _ = try await URLSession.shared.data(for: request)
        // SIGTERM with an upload still in flight: drained for at most 3 s, then cancelled.
        kill(server.process.processIdentifier, SIGTERM)
        let took = server.waitForExit(within: 20)
        #expect(took != nil && took! < 5, "SIGTERM with a request in flight took \(String(describing: took)) s")
        #expect(server.process.terminationStatus == 0, "exit status \(server.process.terminationStatus): \(server.output)")
        withExtendedLifetime(slow) {}  // the slow upload stayed open until here
        let log = server.output
        #expect(log.contains("/v1/users/search"), "\(log)")
        #expect(!log.contains("private.person"), "the email reached the log: \(log)")
        #expect(!log.contains("email="), "a query string reached the log")
    }

    /// `--log-format json` on a live server: every line on standard error is one JSON object,
    /// and a request leaves exactly one completion line with the method, the route pattern, the
    /// status, the duration and the one request id the client sent (also echoed back).
    @Test func jsonLogsHaveOneCompletionLinePerRequestWithOneRequestID() async throws {
        let server = try Server(["--log-format", "json", "--log-level", "info"])
        #expect(try await server.ready(), "\(server.output)")
        let token = try server.token()
        let requestID = "req-\(UUID().uuidString.prefix(8))"
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)/v1/profiles/\(UUID().uuidString)")!)
        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        request.setValue(requestID, forHTTPHeaderField: "X-Request-Id")
        let (_, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 404)
        #expect(http.value(forHTTPHeaderField: "X-Request-Id") == requestID)
        kill(server.process.processIdentifier, SIGTERM)
        #expect(server.waitForExit(within: 20) != nil)

        let lines = server.output.split(separator: "\n").map(String.init)
        var objects: [[String: Any]] = []
        for line in lines where !line.isEmpty {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object != nil, "not one JSON object: \(line)")
            if let object { objects.append(object) }
        }
        for object in objects {
            for key in ["time", "level", "label", "message"] { #expect(object[key] is String, "\(key) missing: \(object)") }
        }
        let mine = objects.filter { $0.values.contains { ($0 as? String) == requestID } }
        let completions = mine.filter { $0["message"] as? String == "request" }
        #expect(completions.count == 1, "\(mine)")
        if let line = completions.first {
            #expect(line["method"] as? String == "GET")
            #expect(line["route"] as? String == "/v1/profiles/{id}")
            #expect(line["status"] as? String == "404")
            #expect(Double(line["duration_ms"] as? String ?? "") ?? -1 >= 0, "\(line)")
            let ids = line.filter { ($0.value as? String) == requestID }.map(\.key)
            #expect(ids.count == 1, "one request id per line, found under \(ids)")
        }
    }
}
