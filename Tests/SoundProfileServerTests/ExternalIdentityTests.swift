import Crypto
import CryptoExtras
import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import SoundProfileServer
import Synchronization
import Testing

/// A test OpenID Connect provider: an RSA and a P-256 key of its own, its key set as JWKS JSON,
/// and tokens signed with Swift Crypto alone (RS256 = RSASSA-PKCS1-v1_5 with SHA-256, ES256 =
/// ECDSA P-256 with the raw r‖s signature), independent of the jwt-kit code under test.
struct TestProvider: Sendable {
    enum Key: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case ec(P256.Signing.PrivateKey)

        var alg: String {
            switch self {
            case .rsa: "RS256"
            case .ec: "ES256"
            }
        }

        /// The public half as a JWK object.
        func jwk(kid: String) throws -> [String: Any] {
            switch self {
            case .rsa(let key):
                let primitives = try key.publicKey.getKeyPrimitives()
                return ["kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
                        "n": base64url(primitives.modulus), "e": base64url(primitives.publicExponent)]
            case .ec(let key):
                let point = key.publicKey.x963Representation  // 0x04 ‖ x ‖ y
                return ["kty": "EC", "kid": kid, "use": "sig", "crv": "P-256",
                        "x": base64url(point.dropFirst().prefix(32)), "y": base64url(point.dropFirst(33))]
            }
        }

        func sign(_ input: Data) throws -> Data {
            switch self {
            case .rsa(let key): try key.signature(for: input, padding: .insecurePKCS1v1_5).rawRepresentation
            case .ec(let key): try key.signature(for: input).rawRepresentation
            }
        }
    }

    static let issuer = "https://id.example.test/realms/pods"
    static let audience = "soundprofile-api"
    // Key generation is slow-ish: once per run.
    static let rsa = Key.rsa(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
    static let rsa2 = Key.rsa(try! _RSA.Signing.PrivateKey(keySize: .bits2048))
    static let ec = Key.ec(P256.Signing.PrivateKey())

    /// A JWKS document publishing `keys` under their kids.
    static func jwks(_ keys: [(kid: String, key: Key)]) throws -> String {
        let document = ["keys": try keys.map { try $0.key.jwk(kid: $0.kid) }]
        return String(decoding: try JSONSerialization.data(withJSONObject: document, options: .sortedKeys), as: UTF8.self)
    }

    /// A token with the usual claims of an ID or access token, as `overrides` change them
    /// (`NSNull()` removes a claim).
    static func token(key: Key, kid: String?, email: String? = nil, sub: String? = nil, alg: String? = nil,
                      _ overrides: [String: Any] = [:]) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        var claims: [String: Any] = ["iss": issuer, "aud": [audience, "account"], "iat": now, "exp": now + 300,
                                     "sub": sub ?? UUID().uuidString, "email_verified": true]
        if let email { claims["email"] = email }
        for (name, value) in overrides { claims[name] = value is NSNull ? nil : value }
        var header: [String: Any] = ["alg": alg ?? key.alg, "typ": "JWT"]
        if let kid { header["kid"] = kid }
        let input = base64url(try JSONSerialization.data(withJSONObject: header, options: .sortedKeys)) + "."
            + base64url(try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
        return input + "." + base64url(try key.sign(Data(input.utf8)))
    }
}

/// A JWKS file in a directory of its own, removed afterwards.
func withJWKSFile(_ contents: String, _ body: (String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sp-jwks-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("jwks.json").path
    try Data(contents.utf8).write(to: URL(fileURLWithPath: path))
    try await body(path)
}

@Suite struct ExternalIdentityTests {
    static func verifier(_ source: ExternalIdentityConfiguration.Source, claim: ExternalIdentityConfiguration.UserClaim = .email,
                         reload: Duration = .seconds(30), timeout: Duration = .seconds(5)) async throws -> ExternalIdentityVerifier {
        let keySet = JWKSKeySet(configuration: ExternalIdentityConfiguration(
            source: source, issuer: TestProvider.issuer, audience: TestProvider.audience, userClaim: claim,
            fetchTimeout: timeout, minimumReloadInterval: reload))
        try await keySet.reload()
        return ExternalIdentityVerifier(keySet: keySet)
    }

    static let bothKeys = try! TestProvider.jwks([("rsa-1", TestProvider.rsa), ("ec-1", TestProvider.ec)])

    @Test(arguments: TestStore.available)
    func providerTokensSignedWithRS256AndES256MapToTheUserByEmail(store: TestStore) async throws {
        try await withJWKSFile(Self.bothKeys) { path in
            let external = try await Self.verifier(.file(path))
            try await TestApp.run(on: store, externalIdentity: external) { client in
                let email = "Pod.Wearer-\(UUID().uuidString.prefix(6))@Example.com"
                let user = try await client.user(email)  // created by an admin with a service (HS256) token
                for (kid, key) in [("rsa-1", TestProvider.rsa), ("ec-1", TestProvider.ec)] {
                    // The email matches whatever its case.
                    let token = try TestProvider.token(key: key, kid: kid, email: email.lowercased())
                    let response = try await client.send(.get, "/v1/users/\(user.id)", token: token)
                    #expect(response.status == .ok, "\(kid): \(String(buffer: response.body))")
                    #expect(try json(response)["id"] as? String == user.id)
                    // A provider token is never an admin's.
                    #expect(try await client.send(.get, "/v1/users", token: token).status == .forbidden)
                }
                // The service's own tokens still work beside the provider's.
                #expect(try await client.send(.get, "/v1/users/\(user.id)", token: user.token).status == .ok)
            }
        }
    }

    @Test func subjectClaimMapsToTheUserID() async throws {
        try await withJWKSFile(Self.bothKeys) { path in
            let external = try await Self.verifier(.file(path), claim: .sub)
            try await TestApp.run(externalIdentity: external) { client in
                let user = try await client.user()
                let token = try TestProvider.token(key: TestProvider.ec, kid: "ec-1", sub: user.id)
                #expect(try await client.send(.get, "/v1/users/\(user.id)", token: token).status == .ok)
                let stranger = try TestProvider.token(key: TestProvider.ec, kid: "ec-1", sub: UUID().uuidString)
                try await Self.expect401(client, stranger, "no user with the token's subject as id")
                let notAnID = try TestProvider.token(key: TestProvider.ec, kid: "ec-1", sub: "auth0|12345")
                try await Self.expect401(client, notAnID, "token subject is not a user id (UUID) of this service")
            }
        }
    }

    static func expect401(_ client: TestApp.Client, _ token: String, _ reason: String,
                          sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let response = try await client.send(.get, "/v1/users/search?email=a%40example.com", token: token)
        #expect(response.status == .unauthorized, "\(String(buffer: response.body))", sourceLocation: sourceLocation)
        #expect(response.headers[.wwwAuthenticate] == "Bearer", sourceLocation: sourceLocation)
        let message = try json(response)["message"] as? String ?? String(buffer: response.body)
        #expect(message.contains(reason), "got: \(message)", sourceLocation: sourceLocation)
    }

    /// Each refused token gets 401 and says why.
    @Test func refusedProviderTokensAre401WithTheReason() async throws {
        try await withJWKSFile(Self.bothKeys) { path in
            let external = try await Self.verifier(.file(path))
            try await TestApp.run(externalIdentity: external) { client in
                let email = "refused-\(UUID().uuidString.prefix(6))@example.com"
                _ = try await client.user(email)
                let rsa = TestProvider.rsa
                let now = Int(Date().timeIntervalSince1970)
                let cases: [(String, String)] = [
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: email, ["iss": "https://evil.example.test"]),
                     #"token issuer "https://evil.example.test" is not the configured issuer "https://id.example.test/realms/pods""#),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: email, ["aud": "another-api"]),
                     #"does not include this service's audience "soundprofile-api""#),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: email, ["iat": now - 900, "exp": now - 600]), "token expired at "),
                    (try TestProvider.token(key: rsa, kid: "rsa-9", email: email), #"token key id "rsa-9" is not in the identity provider's key set (JWKS)"#),
                    // Signed by another key under a known kid.
                    (try TestProvider.token(key: TestProvider.rsa2, kid: "rsa-1", email: email), "token signature does not verify"),
                    (try TestProvider.token(key: rsa, kid: nil, email: email), "token has no kid (key id) header"),
                    (try TestProvider.token(key: rsa, kid: "ec-1", email: email), #"token algorithm RS256 does not fit key "ec-1", which is ES256"#),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: email, ["nbf": now + 3600]), "token is not valid before "),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: nil), "token has no email claim"),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: email, ["email_verified": false]), "token email is not verified"),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: "nobody@example.com"), "no user with the token's email"),
                    (try TestProvider.token(key: rsa, kid: "rsa-1", email: email, alg: "PS256"), #"token algorithm "PS256" is not accepted"#),
                ]
                for (token, reason) in cases {
                    try await Self.expect401(client, token, reason)
                }
                // The good token, for contrast, passes the same route.
                let good = try TestProvider.token(key: rsa, kid: "rsa-1", email: email)
                #expect(try await client.send(.get, "/v1/users/search?email=a%40example.com", token: good).status != .unauthorized)
                // A payload changed after signing breaks the signature.
                var parts = good.split(separator: ".").map(String.init)
                parts[1] = base64url(try JSONSerialization.data(withJSONObject: ["iss": TestProvider.issuer, "aud": TestProvider.audience,
                                                                                 "exp": now + 300, "email": email]))
                try await Self.expect401(client, parts.joined(separator: "."), "token signature does not verify")
            }
        }
    }

    /// The provider rotates its keys: the file gets a new key and loses the old one. A token with
    /// the new kid makes the service reload the set, and from then on the old kid is refused.
    @Test func keyRotationInTheJWKSFile() async throws {
        try await withJWKSFile(try TestProvider.jwks([("rsa-1", TestProvider.rsa)])) { path in
            let external = try await Self.verifier(.file(path), reload: .zero)
            try await TestApp.run(externalIdentity: external) { client in
                let email = "rotate-\(UUID().uuidString.prefix(6))@example.com"
                let user = try await client.user(email)
                let old = try TestProvider.token(key: TestProvider.rsa, kid: "rsa-1", email: email)
                let new = try TestProvider.token(key: TestProvider.rsa2, kid: "rsa-2", email: email)
                #expect(try await client.send(.get, "/v1/users/\(user.id)", token: old).status == .ok)
                try await Self.expect401(client, new, #"token key id "rsa-2" is not in"#)

                try Data(try TestProvider.jwks([("rsa-2", TestProvider.rsa2)]).utf8).write(to: URL(fileURLWithPath: path))
                #expect(try await client.send(.get, "/v1/users/\(user.id)", token: new).status == .ok)
                #expect(await external.keySet.keyIDs == ["rsa-2"])
                try await Self.expect401(client, old, #"token key id "rsa-1" is not in"#)
            }
        }
    }

    /// A set that cannot be used is refused at load with the reason; the keys held stay.
    @Test func unusableKeySetsAreRefusedWithTheReason() async throws {
        let cases: [(String, String)] = [
            ("not json", "is not a JSON object with a \"keys\" array"),
            (#"{"keys":[]}"#, "holds no usable RS256 or ES256 signing key"),
            (#"{"keys":[{"kty":"oct","kid":"h","k":"c2VjcmV0"}]}"#, "h: oct is not RS256 or ES256"),
            (#"{"keys":[{"kty":"RSA","kid":"r","n":"AQAB","e":"AQAB","use":"enc"}]}"#, "r: use enc"),
            (#"{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}"#, "keys[0]: no kid"),
        ]
        for (contents, reason) in cases {
            try await withJWKSFile(contents) { path in
                let keySet = JWKSKeySet(configuration: ExternalIdentityConfiguration(
                    source: .file(path), issuer: TestProvider.issuer, audience: TestProvider.audience))
                let error = await #expect(throws: JWKSLoadError.self) { try await keySet.reload() }
                #expect(error?.description.contains(reason) == true, "\(contents): \(String(describing: error))")
            }
        }
        let missing = JWKSKeySet(configuration: ExternalIdentityConfiguration(
            source: .file("/nonexistent/jwks.json"), issuer: TestProvider.issuer, audience: TestProvider.audience))
        let error = await #expect(throws: JWKSLoadError.self) { try await missing.reload() }
        #expect(error?.description == "cannot read JWKS file /nonexistent/jwks.json: no such file")
    }

    /// A JWKS URL (a Hummingbird app on 127.0.0.1 started here) is fetched once and cached;
    /// after rotation a token with the new kid triggers one fetch; a URL that does not answer in
    /// time gives a clear error instead of a hanging request.
    @Test func jwksURLIsFetchedWithATimeoutAndCached() async throws {
        final class Served: Sendable {
            let state = Mutex<(body: String, hits: Int)>((ExternalIdentityTests.bothKeys, 0))
        }
        let served = Served()
        let router = Router()
        router.get("jwks.json") { _, _ -> Response in
            let body = served.state.withLock { state in
                state.hits += 1
                return state.body
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
        }
        router.get("slow.json") { _, _ -> Response in
            try await Task.sleep(for: .seconds(2))
            return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: ExternalIdentityTests.bothKeys)))
        }
        router.get("gone.json") { _, _ -> Response in Response(status: .notFound) }
        let provider = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await provider.test(.live) { providerClient in
            let base = "http://127.0.0.1:\(try #require(providerClient.port))"
            let external = try await Self.verifier(.url(try #require(URL(string: "\(base)/jwks.json"))), reload: .zero)
            try await TestApp.run(externalIdentity: external) { client in
                let email = "url-\(UUID().uuidString.prefix(6))@example.com"
                let user = try await client.user(email)
                for _ in 0..<5 {
                    let token = try TestProvider.token(key: TestProvider.ec, kid: "ec-1", email: email)
                    #expect(try await client.send(.get, "/v1/users/\(user.id)", token: token).status == .ok)
                }
                #expect(served.state.withLock { $0.hits } == 1, "the key set is fetched once, then cached")

                served.state.withLock { $0.body = try! TestProvider.jwks([("rsa-2", TestProvider.rsa2)]) }
                let new = try TestProvider.token(key: TestProvider.rsa2, kid: "rsa-2", email: email)
                #expect(try await client.send(.get, "/v1/users/\(user.id)", token: new).status == .ok)
                #expect(served.state.withLock { $0.hits } == 2)
                let old = try TestProvider.token(key: TestProvider.ec, kid: "ec-1", email: email)
                try await Self.expect401(client, old, #"token key id "ec-1" is not in"#)
            }

            // A set older than maximumAge is reloaded, but not more often than minimumReloadInterval:
            // requests in between use the cached keys without asking the provider.
            let stale = JWKSKeySet(configuration: ExternalIdentityConfiguration(
                source: .url(try #require(URL(string: "\(base)/jwks.json"))), issuer: TestProvider.issuer, audience: TestProvider.audience,
                minimumReloadInterval: .seconds(600), maximumAge: .zero))
            try await stale.reload()
            let before = served.state.withLock { $0.hits }
            try await TestApp.run(externalIdentity: ExternalIdentityVerifier(keySet: stale)) { client in
                let email = "stale-\(UUID().uuidString.prefix(6))@example.com"
                let user = try await client.user(email)
                for _ in 0..<3 {
                    let token = try TestProvider.token(key: TestProvider.rsa2, kid: "rsa-2", email: email)
                    #expect(try await client.send(.get, "/v1/users/\(user.id)", token: token).status == .ok)
                }
            }
            #expect(served.state.withLock { $0.hits } == before, "no reload within minimumReloadInterval")

            let slow = JWKSKeySet(configuration: ExternalIdentityConfiguration(
                source: .url(try #require(URL(string: "\(base)/slow.json"))), issuer: TestProvider.issuer, audience: TestProvider.audience,
                fetchTimeout: .milliseconds(500)))
            let timedOut = await #expect(throws: JWKSLoadError.self) { try await slow.reload() }
            #expect(timedOut?.description == "JWKS URL \(base)/slow.json did not answer within 0.5 s")

            let gone = JWKSKeySet(configuration: ExternalIdentityConfiguration(
                source: .url(try #require(URL(string: "\(base)/gone.json"))), issuer: TestProvider.issuer, audience: TestProvider.audience))
            let notFound = await #expect(throws: JWKSLoadError.self) { try await gone.reload() }
            #expect(notFound?.description == "JWKS URL \(base)/gone.json answered HTTP 404")
        }
    }

    /// Without `--jwks`, provider tokens are refused with a hint, and service tokens work.
    @Test func providerTokensWithoutAProviderAre401() async throws {
        try await TestApp.run { client in
            let token = try TestProvider.token(key: TestProvider.rsa, kid: "rsa-1", email: "a@example.com")
            try await Self.expect401(client, token, "token algorithm RS256 needs an identity provider, and this service has none configured (serve --jwks)")
            try await Self.expect401(client, "e30.e30.", #"token algorithm (none) is not accepted: it must be HS256"#)
            try await Self.expect401(client, "garbage", "malformed token")
        }
    }

    /// The service signs its own tokens with jwt-kit; they are plain HS256 JWTs with the claims
    /// `token create` always wrote: checked here with Swift Crypto's HMAC, not with jwt-kit.
    @Test func serviceTokensAreStandardHS256() async throws {
        let userId = UUID()
        let token = try await JWTSigner(secret: TestApp.secret).token(userId: userId, admin: true, lifetime: 3600)
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        func decode(_ part: String) throws -> [String: Any] {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            let data = try #require(Data(base64Encoded: text))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        #expect(try decode(parts[0])["alg"] as? String == "HS256")
        let claims = try decode(parts[1])
        #expect(claims["sub"] as? String == userId.uuidString.lowercased())
        #expect(claims["admin"] as? Bool == true)
        let iat = try #require(claims["iat"] as? Double), exp = try #require(claims["exp"] as? Double)
        #expect(exp - iat == 3600)
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(parts[0]).\(parts[1])".utf8), using: SymmetricKey(data: TestApp.secret))
        #expect(base64url(Data(mac)) == parts[2])
        // And tokens in the old format, made without jwt-kit, still verify.
        let identity = try await JWTSigner(secret: TestApp.secret).verify(try TestApp.signer.token(userId: userId, admin: false))
        #expect(identity == Identity(userId: userId, isAdmin: false))
    }

    /// A service token is verified once and then remembered, but only until its `exp`, and only
    /// as the exact string: a changed signature is checked (and refused) again.
    @Test func rememberedServiceTokensStillExpire() async throws {
        let signer = await JWTSigner(secret: TestApp.secret)
        let userId = UUID()
        let now = Date()
        let token = try await signer.token(userId: userId, admin: false, lifetime: 60, now: now)
        #expect(try await signer.verify(token, now: now) == Identity(userId: userId, isAdmin: false))
        #expect(try await signer.verify(token, now: now.addingTimeInterval(30)) == Identity(userId: userId, isAdmin: false))
        let expired = await #expect(throws: TokenRefused.self) { try await signer.verify(token, now: now.addingTimeInterval(61)) }
        #expect(expired?.reason.hasPrefix("token expired at ") == true)
        // One character in the middle of the signature changed (the last one may carry only padding bits).
        var characters = Array(token)
        let middle = characters.count - 10
        characters[middle] = characters[middle] == "A" ? "B" : "A"
        let forged = String(characters)
        let refused = await #expect(throws: TokenRefused.self) { try await signer.verify(forged, now: now) }
        #expect(refused?.reason == "token signature does not verify")
    }
}
