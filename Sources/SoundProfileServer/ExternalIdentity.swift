public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import JWTKit
public import Logging
import SoundProfileStore

/// Tokens from an OpenID Connect provider (`serve --jwks FILE|URL --issuer … --audience …`):
/// RS256 or ES256, signed by a key in the provider's JSON Web Key Set, for this service's
/// audience, from the configured issuer. The claim named by ``UserClaim`` maps the token to a
/// user of this service, who must exist; such callers are never admins.
public struct ExternalIdentityConfiguration: Sendable {
    /// Where the key set is read from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case file(String)
        case url(URL)

        /// `http://…` or `https://…` is a URL, anything else a file path.
        public init(_ text: String) throws(ConfigurationError) {
            let lower = text.lowercased()
            if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
                guard let url = URL(string: text), url.host != nil else {
                    throw ConfigurationError("--jwks \(text) is not a usable URL: expected http(s)://host/path")
                }
                self = .url(url)
            } else {
                guard !text.isEmpty else { throw ConfigurationError("--jwks is empty: give a JWKS file path or an http(s) URL") }
                self = .file(text)
            }
        }

        public var description: String {
            switch self {
            case .file(let path): path
            case .url(let url): url.absoluteString
            }
        }
    }

    /// Which claim names the user: `email` (matched case-insensitively against users' emails; a
    /// token that says `email_verified: false` is refused) or `sub` (the user's id, a UUID).
    public enum UserClaim: String, Sendable, CaseIterable {
        case email, sub
    }

    public struct ConfigurationError: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }

    public var source: Source
    public var issuer: String
    public var audience: String
    public var userClaim: UserClaim
    /// Longest wait for the JWKS URL (connect and answer).
    public var fetchTimeout: Duration
    /// A token whose `kid` is not in the set reloads it, at most once per this interval (so
    /// made-up `kid`s cannot turn every request into a fetch).
    public var minimumReloadInterval: Duration
    /// The set is reloaded at least this often, so removed keys stop working.
    public var maximumAge: Duration

    public init(source: Source, issuer: String, audience: String, userClaim: UserClaim = .email,
                fetchTimeout: Duration = .seconds(5), minimumReloadInterval: Duration = .seconds(30), maximumAge: Duration = .seconds(600)) {
        self.source = source
        self.issuer = issuer
        self.audience = audience
        self.userClaim = userClaim
        self.fetchTimeout = fetchTimeout
        self.minimumReloadInterval = minimumReloadInterval
        self.maximumAge = maximumAge
    }
}

/// Why the key set could not be loaded.
public struct JWKSLoadError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// The provider's key set, loaded from a file or URL and cached: reloaded when it is older than
/// `maximumAge`, or when a token names a `kid` it lacks (at most once per
/// `minimumReloadInterval`). Concurrent reloads share one fetch. A failed reload keeps the keys
/// it had.
public actor JWKSKeySet {
    public let configuration: ExternalIdentityConfiguration
    private var keys = JWTKeyCollection()
    /// The algorithm of every usable key, by `kid`.
    private var algorithms: [String: String] = [:]
    private var loadedAt: ContinuousClock.Instant?
    private var lastAttempt: ContinuousClock.Instant?
    private var lastError: JWKSLoadError?
    private var inFlight: Task<Void, any Error>?
    private let logger: Logger
    /// How many times the set was read (file or URL): for tests of the cache.
    public private(set) var loads = 0

    /// The algorithms accepted from the provider.
    public static let algorithms: Set<String> = ["RS256", "ES256"]
    /// The largest JWKS document read, in bytes.
    public static let maximumBytes = 1 << 20

    public init(configuration: ExternalIdentityConfiguration, logger: Logger = Logger(label: "soundprofile.jwks")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The `kid`s currently usable, sorted.
    public var keyIDs: [String] { algorithms.keys.sorted() }

    /// Reads the set now (at start-up, and when keys rotate). Throws, keeping the old keys, when
    /// the source cannot be read or holds no usable RS256/ES256 key.
    public func reload() async throws {
        if let inFlight { return try await inFlight.value }
        let task = Task { try await self.load() }
        inFlight = task
        defer { inFlight = nil }
        try await task.value
    }

    private func load() async throws {
        lastAttempt = .now
        loads += 1
        do {
            let data = try await Self.read(configuration.source, timeout: configuration.fetchTimeout)
            let (collection, algorithms) = try await Self.parse(data, source: configuration.source, logger: logger)
            self.keys = collection
            self.algorithms = algorithms
            self.loadedAt = .now
            self.lastError = nil
            logger.info("identity provider keys loaded", metadata: ["jwks": "\(configuration.source)", "kids": "\(keyIDs.joined(separator: ","))"])
        } catch let error as JWKSLoadError {
            lastError = error
            logger.warning("identity provider keys not loaded", metadata: ["jwks": "\(configuration.source)", "error": "\(error)"])
            throw error
        }
    }

    /// The keys to verify a token with key id `kid` and algorithm `alg`, reloading first when the
    /// set is stale or lacks `kid`.
    func keys(kid: String, alg: String) async throws(TokenRefused) -> JWTKeyCollection {
        let now = ContinuousClock.now
        // Both reasons to reload wait `minimumReloadInterval` after the last attempt, so a
        // provider that is down is not asked again on every request.
        let mayReload = lastAttempt.map { now - $0 >= configuration.minimumReloadInterval } ?? true
        if mayReload, (loadedAt.map { now - $0 >= configuration.maximumAge } ?? false) || algorithms[kid] == nil {
            try? await reload()
        }
        guard let keyAlgorithm = algorithms[kid] else {
            let note = lastError.map { "; the key set could not be reloaded: \($0)" } ?? ""
            throw TokenRefused("token key id \"\(kid)\" is not in the identity provider's key set (JWKS)\(note)")
        }
        guard keyAlgorithm == alg else {
            throw TokenRefused("token algorithm \(alg) does not fit key \"\(kid)\", which is \(keyAlgorithm)")
        }
        return keys
    }

    static func read(_ source: ExternalIdentityConfiguration.Source, timeout: Duration) async throws -> Data {
        switch source {
        case .file(let path):
            guard let handle = FileHandle(forReadingAtPath: path) else {
                throw JWKSLoadError("cannot read JWKS file \(path): \(FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")")
            }
            defer { try? handle.close() }
            let data = (try? handle.read(upToCount: maximumBytes + 1)) ?? Data()
            guard data.count <= maximumBytes else { throw JWKSLoadError("JWKS file \(path) is larger than \(maximumBytes) bytes") }
            return data
        case .url(let url):
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            let session = URLSession(configuration: {
                let configuration = URLSessionConfiguration.ephemeral
                configuration.timeoutIntervalForRequest = seconds
                configuration.timeoutIntervalForResource = seconds
                configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
                return configuration
            }())
            defer { session.finishTasksAndInvalidate() }
            var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: seconds)
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            let data: Data
            let response: URLResponse
            do {
                (data, response) = try await session.data(for: request)
            } catch let error as URLError where error.code == .timedOut {
                throw JWKSLoadError("JWKS URL \(url.absoluteString) did not answer within \(seconds) s")
            } catch {
                throw JWKSLoadError("cannot fetch JWKS URL \(url.absoluteString): \(error.localizedDescription)")
            }
            if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
                throw JWKSLoadError("JWKS URL \(url.absoluteString) answered HTTP \(http.statusCode)")
            }
            guard data.count <= maximumBytes else { throw JWKSLoadError("JWKS from \(url.absoluteString) is larger than \(maximumBytes) bytes") }
            return data
        }
    }

    /// The usable keys of a JWKS document: signing keys (`use` absent or `sig`) of type RSA or
    /// EC P-256 with a `kid`, for RS256 or ES256. Other keys are skipped (and logged); a set with
    /// none left is an error.
    static func parse(_ data: Data, source: ExternalIdentityConfiguration.Source,
                      logger: Logger) async throws -> (JWTKeyCollection, [String: String]) {
        guard let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let entries = document["keys"] as? [Any]
        else { throw JWKSLoadError("JWKS \(source) is not a JSON object with a \"keys\" array") }
        let collection = JWTKeyCollection()
        var algorithms: [String: String] = [:]
        var skipped: [String] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry as? [String: Any] else { skipped.append("keys[\(index)]: not an object"); continue }
            guard let kid = object["kid"] as? String, !kid.isEmpty else { skipped.append("keys[\(index)]: no kid"); continue }
            if let use = object["use"] as? String, use != "sig" { skipped.append("\(kid): use \(use)"); continue }
            let alg: String
            switch (object["kty"] as? String, object["crv"] as? String, object["alg"] as? String) {
            case ("RSA", _, nil), ("RSA", _, "RS256"?): alg = "RS256"
            case ("EC", "P-256"?, nil), ("EC", "P-256"?, "ES256"?): alg = "ES256"
            case let (kty, crv, alg):
                skipped.append("\(kid): \([kty, crv, alg].compactMap { $0 }.joined(separator: " ")) is not RS256 or ES256")
                continue
            }
            var normalised = object
            normalised["alg"] = alg
            do {
                let jwk = try JSONDecoder().decode(JWK.self, from: JSONSerialization.data(withJSONObject: normalised))
                try await collection.add(jwk: jwk)
                // Build the verifier now, so a malformed key is skipped here, not at the first token.
                _ = try await collection.getKey(for: JWKIdentifier(string: kid), alg: alg)
                algorithms[kid] = alg
            } catch {
                _ = await collection.remove(kid: JWKIdentifier(string: kid))
                skipped.append("\(kid): unusable \(alg) key")
            }
        }
        if !skipped.isEmpty {
            logger.notice("JWKS keys skipped", metadata: ["jwks": "\(source)", "skipped": "\(skipped.joined(separator: "; "))"])
        }
        guard !algorithms.isEmpty else {
            throw JWKSLoadError("JWKS \(source) holds no usable RS256 or ES256 signing key\(skipped.isEmpty ? "" : " (skipped: \(skipped.joined(separator: "; ")))")")
        }
        return (collection, algorithms)
    }
}

/// Verifies provider tokens and maps them to users of this service.
public struct ExternalIdentityVerifier: Sendable {
    public let keySet: JWKSKeySet
    public var configuration: ExternalIdentityConfiguration { keySet.configuration }

    public init(keySet: JWKSKeySet) {
        self.keySet = keySet
    }

    /// Claims read from a provider token; each is checked with its own message.
    struct Claims: JWTPayload {
        var iss: String?
        var aud: AudienceClaim?
        var exp: Date?
        var nbf: Date?
        var iat: Date?
        var sub: String?
        var email: String?
        var emailVerified: Verified?

        enum CodingKeys: String, CodingKey {
            case iss, aud, exp, nbf, iat, sub, email
            case emailVerified = "email_verified"
        }

        /// `email_verified`: a boolean, or the strings "true"/"false" some providers send.
        struct Verified: Codable, Sendable {
            var value: Bool
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let flag = try? container.decode(Bool.self) { value = flag } else { value = try container.decode(String.self).lowercased() == "true" }
            }
            func encode(to encoder: any Encoder) throws {
                var container = encoder.singleValueContainer()
                try container.encode(value)
            }
        }

        /// Checked by ``ExternalIdentityVerifier/verify(_:kid:alg:repository:now:)``.
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// The user a provider token proves, or why it is refused: bad signature, unknown `kid`,
    /// another issuer or audience, expired or not yet valid, no user for the mapped claim.
    func verify(_ token: String, kid: String, alg: String, repository: any SoundProfileRepository,
                now: Date = Date()) async throws -> Identity {
        let configuration = configuration
        let keys = try await keySet.keys(kid: kid, alg: alg)
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw TokenRefused(jwtError: error)
        }
        guard claims.iss == configuration.issuer else {
            throw TokenRefused("token issuer \(claims.iss.map { "\"\($0)\"" } ?? "(none)") is not the configured issuer \"\(configuration.issuer)\"")
        }
        guard let audience = claims.aud?.value, audience.contains(configuration.audience) else {
            let named = claims.aud.map { "\($0.value)" } ?? "(none)"
            throw TokenRefused("token audience \(named) does not include this service's audience \"\(configuration.audience)\"")
        }
        guard let exp = claims.exp else { throw TokenRefused("token has no exp (expiry) claim") }
        guard now < exp else { throw TokenRefused("token expired at \(TokenRefused.format(exp))") }
        let leeway = TimeInterval(JWTSigner.leewaySeconds)
        if let nbf = claims.nbf, nbf > now.addingTimeInterval(leeway) {
            throw TokenRefused("token is not valid before \(TokenRefused.format(nbf))")
        }
        if let iat = claims.iat, iat > now.addingTimeInterval(leeway) {
            throw TokenRefused("token is issued in the future (iat \(TokenRefused.format(iat)))")
        }
        let user: User
        switch configuration.userClaim {
        case .email:
            guard let email = claims.email, !email.isEmpty else { throw TokenRefused("token has no email claim (the service maps users by email)") }
            if claims.emailVerified?.value == false { throw TokenRefused("token email is not verified (email_verified is false)") }
            guard let found = try await repository.user(email: email) else {
                throw TokenRefused("no user with the token's email; an admin creates it first (POST /v1/users)")
            }
            user = found
        case .sub:
            guard let sub = claims.sub, !sub.isEmpty else { throw TokenRefused("token has no sub claim (the service maps users by subject)") }
            guard let id = UUID(uuidString: sub) else { throw TokenRefused("token subject is not a user id (UUID) of this service") }
            guard let found = try await repository.user(id: id) else { throw TokenRefused("no user with the token's subject as id") }
            user = found
        }
        return Identity(userId: user.id, isAdmin: false)
    }
}
