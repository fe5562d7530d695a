import Foundation
import Logging
import SoundProfileDSP
import SoundProfileServer
import Testing

@Suite("Operations")
struct OperationsTests {
    @Test func metricsHaveBuildInfoAndProcessFigures() async throws {
        try await TestApp.run { client in
            let text = String(buffer: try await client.send(.get, "/metrics", token: nil).body)
            #expect(text.contains("soundprofile_build_info{"))
            #expect(text.contains(#"version="\#(soundProfileVersion)""#), "the build info names the release that --version prints")
            for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds", "process_start_time_seconds"] {
                let line = try #require(text.split(separator: "\n").first { $0.hasPrefix(name + " ") }, "\(name)")
                let value = try #require(Double(line.split(separator: " ").last ?? ""))
                #expect(value > 0, "\(line)")
            }
        }
    }

    @Test func jsonLogLineIsOneObject() throws {
        let line = JSONLogHandler.line(level: .info, label: "soundprofile.server", message: "request",
                                       metadata: ["route": "/v1/users/{id}", "status": "200", "message": "cannot overwrite"])
        #expect(!line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        #expect(object["message"] == "request")
        #expect(object["route"] == "/v1/users/{id}")
        #expect(object["level"] == "info")
        #expect(object["time"]?.hasSuffix("Z") == true)
    }
}

/// The text log handler keeps swift-log's `StreamLogHandler` line format, which the README's
/// examples and people's log tooling read.
@Suite struct TextLogHandlerTests {
    @Test func linesHaveStreamLogHandlersFormat() {
        let line = TextLogHandler.line(time: "2026-12-01T21:12:25+0000", level: .warning, label: "soundprofile.store",
                                       metadata: ["b": "2", "a": "x y", "hb.request.id": "r-1"], source: "SoundProfileStore", message: "database unreachable")
        #expect(line == "2026-12-01T21:12:25+0000 warning soundprofile.store: a=x y b=2 hb.request.id=r-1 [SoundProfileStore] database unreachable\n")
        #expect(TextLogHandler.line(time: "T", level: .info, label: "l", metadata: [:], source: "S", message: "m") == "T info l: [S] m\n")
        #expect(TextLogHandler.timestamp().wholeMatch(of: #/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/#) != nil)
    }

    /// Keys set on a logger stay on its handler (rendered only when a line is written).
    @Test func metadataKeysAreKeptOnTheHandler() {
        var handler = TextLogHandler(label: "t", metadataProvider: .init { ["provided": "p"] })
        handler[metadataKey: "request"] = "r"
        #expect(handler[metadataKey: "request"] == "r")
        #expect(handler.metadata == ["request": "r"])
    }
}
