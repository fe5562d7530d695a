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

    /// `soundprofile migrate`, as the README writes it, applies the migrations to a new
    /// database and, run again, finds nothing to do; `help migrate` is its own help.
    @Test func migrateRunsUnderItsDocumentedName() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let database = "sqlite:" + dir.appendingPathComponent("m.sqlite").path
        let first = try CLI.run(["migrate", "--database", database], in: dir)
        #expect(first.status == 0 && first.stdout.contains("migrations applied"), "\(first.stdout)\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("m.sqlite").path))
        let again = try CLI.run(["migrate", "--database", database], in: dir)
        #expect(again.status == 0, "\(again.stderr)")
        let help = try CLI.run(["help", "migrate"])
        #expect(help.stdout.contains("--database") && help.stdout.contains("migrate"), "\(help.stdout)")
    }

    @Test func tokenCreatePrintsOnlyTheTokenAndKeepsTheSecretPrivate() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let result = try CLI.run(["token", "create", "--user", UUID().uuidString, "--admin", "--create-secret"], in: dir,
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

    /// Without a secret, `token create` does not make one (its tokens would not be accepted by
    /// the server, which has its own): it says where it looked and how the server finds its secret.
    @Test func tokenCreateRefusesToInventASecretUnlessAsked() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let user = UUID().uuidString
        let refused = try CLI.run(["token", "create", "--user", user], in: dir, environment: ["SOUNDPROFILE_JWT_SECRET": ""])
        #expect(refused.status == 1)
        #expect(refused.stdout.isEmpty)
        let looked = dir.resolvingSymlinksInPath().appendingPathComponent("soundprofile-data/jwt-secret").path
        for words in ["soundprofile token create: soundprofile-data/jwt-secret: no signing secret", looked, "SOUNDPROFILE_JWT_SECRET is not set",
                      "soundprofile serve", "--data-dir", "--create-secret"] {
            #expect(refused.stderr.contains(words), "\(words): \(refused.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("soundprofile-data").path), "nothing created")
        let other = dir.appendingPathComponent("elsewhere/data").path
        let elsewhere = try CLI.run(["token", "create", "--user", user, "--data-dir", other], in: dir, environment: ["SOUNDPROFILE_JWT_SECRET": ""])
        #expect(elsewhere.status == 1 && elsewhere.stderr.contains("\(other)/jwt-secret"), "\(elsewhere.stderr)")
        #expect(!FileManager.default.fileExists(atPath: other))
        // The server's ways to a secret work without --create-secret: the variable, or the file `serve` made.
        let fromVariable = try CLI.run(["token", "create", "--user", user], in: dir,
                                       environment: ["SOUNDPROFILE_JWT_SECRET": String(repeating: "s", count: 32)])
        #expect(fromVariable.status == 0 && fromVariable.stdout.split(separator: ".").count == 3, "\(fromVariable.stderr)")
        let created = try CLI.run(["token", "create", "--user", user, "--create-secret"], in: dir, environment: ["SOUNDPROFILE_JWT_SECRET": ""])
        #expect(created.status == 0, "\(created.stderr)")
        let again = try CLI.run(["token", "create", "--user", user], in: dir, environment: ["SOUNDPROFILE_JWT_SECRET": ""])
        #expect(again.status == 0 && again.stdout.split(separator: ".").count == 3, "\(again.stderr)")
    }

    /// `--expires-in-hours` is bounded (a token lives until its `exp`: `1e300` made an admin
    /// token that never expires) and every bad value gets the same "is not allowed" usage line.
    @Test func tokenLifetimeIsBoundedAndBadValuesAreNamed() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let secret = ["SOUNDPROFILE_JWT_SECRET": String(repeating: "s", count: 32)]
        let user = UUID().uuidString
        for value in ["1e300", "8761", "inf", "nan", "-5", "0", "soon"] {
            let r = try CLI.run(["token", "create", "--user", user, "--admin", "--expires-in-hours", value], in: dir, environment: secret)
            #expect(r.status == 2, "\(value): \(r.stderr)")
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.hasPrefix("soundprofile token create: --expires-in-hours \(value) is not allowed: it must be a number of hours more than 0 and at most 8760"),
                    "\(value): \(r.stderr)")
        }
        // The longest allowed lifetime is a year, to the second.
        let year = try CLI.run(["token", "create", "--user", user, "--expires-in-hours", "8760"], in: dir, environment: secret)
        #expect(year.status == 0, "\(year.stderr)")
        let payload = try #require(year.stdout.split(separator: ".").dropFirst().first)
        var base64 = payload.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        let decoded = try #require(Data(base64Encoded: base64))
        let claims = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        let exp = try #require(claims["exp"] as? Double), iat = try #require(claims["iat"] as? Double)
        #expect(exp - iat == 8760 * 3600, "\(claims)")
    }

    /// An absolute --data-dir is named as it is, not glued onto the working directory.
    @Test func tokenCreateNamesAnAbsoluteDataDirOnce() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("svc/newdata").path
        let r = try CLI.run(["token", "create", "--user", UUID().uuidString, "--data-dir", data], in: dir, environment: ["SOUNDPROFILE_JWT_SECRET": ""])
        #expect(r.status == 1)
        #expect(r.stderr.contains("(looked for \(data)/jwt-secret;"), "\(r.stderr)")
    }

    /// `soundprofile` hands the service commands to `soundprofile-service` (next to it) without
    /// loading the service stack itself; to the user they are still `soundprofile serve` etc.
    @Test func serviceCommandsAreListedAndHandedOver() throws {
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        for name in ["analyze", "fit", "process", "serve", "migrate", "token", "seed-demo"] {
            #expect(help.stdout.contains("  \(name)"), "soundprofile --help lists \(name)")
        }
        let serveHelp = try CLI.run(["serve", "--help"])
        #expect(serveHelp.status == 0)
        #expect(serveHelp.stdout.contains("--max-upload-mib") && serveHelp.stdout.contains("soundprofile serve"), "\(serveHelp.stdout)")
        #expect(try CLI.run(["help", "token"]).stdout.contains("create"))
        let bad = try CLI.run(["serve", "--port", "0"])
        #expect(bad.status == 2 && bad.stderr.contains("--port 0 is not allowed"), "\(bad.stderr)")
    }
}
