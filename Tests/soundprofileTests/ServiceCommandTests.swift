import Foundation
import Testing

/// The service's CLI commands that need no running server: seed-demo, token create.
@Suite struct ServiceCommandTests {
    static var uuid: Regex<Substring> { #/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/# }

    @Test func seedDemoCreatesUsersAudiogramsAndProfilesOnce() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try CLI.run(["seed-demo"], in: dir)
        #expect(first.status == 0, "\(first.stderr)")
        let created = first.stdout.split(separator: "\n").filter { $0.hasPrefix("created ") }
        #expect(created.count == 3)
        for line in created {
            let ids = line.matches(of: Self.uuid).map { String($0.output) }
            #expect(ids.count == 3, "user, audiogram and profile ids in: \(line)")
            #expect(line.contains(" profile "))
        }
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("soundprofile-data/soundprofile.sqlite").path))

        let second = try CLI.run(["seed-demo"], in: dir)
        #expect(second.status == 0)
        #expect(second.stdout.split(separator: "\n").filter { $0.hasPrefix("exists ") }.count == 3, "a re-run adds nothing")
    }

    @Test func tokenCreatePrintsOnlyTheTokenAndKeepsTheSecretPrivate() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["token", "create", "--user", UUID().uuidString, "--admin"], in: dir,
                                 environment: ["SOUNDPROFILE_JWT_SECRET": ""])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.split(separator: ".").count == 3, "a JWT: header.payload.signature")
        let secret = dir.appendingPathComponent("soundprofile-data/jwt-secret").path
        let mode = try FileManager.default.attributesOfItem(atPath: secret)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try CLI.run(["token", "create", "--user", "not-a-uuid"], in: dir).status == 2, "usage error")
    }
}
