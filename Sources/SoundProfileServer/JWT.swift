public import Foundation
import Crypto
import JWTKit
import Synchronization

/// The service's own bearer tokens: HS256 JSON Web Tokens (RFC 7519) signed and verified with
/// jwt-kit and one shared secret. Claims: `sub` (user id), `admin`, `iat`, `exp`, optional `nbf`.
/// Tokens made by earlier versions (`{"alg":"HS256","typ":"JWT"}`, the same claims) stay valid.
public struct JWTSigner: Sendable {
    private let keys: JWTKeyCollection
    private let verified = VerifiedTokens()

    /// `secret`: at least ``JWTSecret/minimumBytes`` bytes (``JWTSecret/load(dataDirectory:environment:)`` checks).
    public init(secret: some DataProtocol) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: Array(secret)), digestAlgorithm: .sha256)
        self.keys = keys
    }

    /// Tokens already verified, with their identity and expiry: a client sends the same token
    /// with every request, so its signature and claims are checked once, not per request. Only
    /// the exact token string hits (signature included), and only until its `exp`. Bounded: when
    /// full it starts over.
    final class VerifiedTokens: Sendable {
        static let capacity = 4096
        private let entries = Mutex<[String: (identity: Identity, expires: Date)]>([:])

        func identity(_ token: String, now: Date) -> Identity? {
            entries.withLock { entries in
                guard let entry = entries[token] else { return nil }
                guard now < entry.expires else {
                    entries[token] = nil
                    return nil
                }
                return entry.identity
            }
        }

        func insert(_ token: String, _ identity: Identity, expires: Date) {
            entries.withLock { entries in
                if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
                entries[token] = (identity, expires)
            }
        }
    }

    /// The claims of a service token.
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var admin: Bool
        var iat: IssuedAtClaim
        var exp: ExpirationClaim
        /// Not before (optional): the token is refused until this time.
        var nbf: NotBeforeClaim?

        /// Times are checked by ``JWTSigner/verify(_:now:)`` (with leeway and a clock the tests set).
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    /// Clock skew tolerated between the issuer and this service, in seconds, for `iat` and `nbf`.
    public static let leewaySeconds = 60

    /// Makes a token for `userId`, valid for `lifetime` seconds from now.
    public func token(userId: UUID, admin: Bool, lifetime: TimeInterval = 30 * 24 * 3600, now: Date = Date()) async throws -> String {
        let issued = now.timeIntervalSince1970.rounded(.down)
        let claims = Claims(
            sub: SubjectClaim(value: userId.uuidString.lowercased()), admin: admin,
            iat: IssuedAtClaim(value: Date(timeIntervalSince1970: issued)),
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: issued + lifetime.rounded(.down))), nbf: nil
        )
        return try await keys.sign(claims)
    }

    /// The identity a token proves. Refused (with the reason) when it is malformed, not HS256,
    /// wrongly signed, expired, issued in the future (`iat`) or not yet valid (`nbf`); `iat` and
    /// `nbf` are checked with ``leewaySeconds`` of clock skew. jwt-kit checks the signature (in
    /// constant time) before the claims are decoded.
    /// The identity of a token this signer verified before and that has not expired, or nil.
    public func remembered(_ token: String, now: Date = Date()) -> Identity? {
        verified.identity(token, now: now)
    }

    public func verify(_ token: String, now: Date = Date()) async throws(TokenRefused) -> Identity {
        if let identity = verified.identity(token, now: now) { return identity }
        let claims: Claims
        do {
            claims = try await keys.verify(token, as: Claims.self)
        } catch {
            throw TokenRefused(jwtError: error)
        }
        let leeway = TimeInterval(Self.leewaySeconds)
        guard now < claims.exp.value else { throw TokenRefused("token expired at \(TokenRefused.format(claims.exp.value))") }
        guard claims.iat.value <= now.addingTimeInterval(leeway) else {
            throw TokenRefused("token is issued in the future (iat \(TokenRefused.format(claims.iat.value)))")
        }
        if let nbf = claims.nbf, nbf.value > now.addingTimeInterval(leeway) {
            throw TokenRefused("token is not valid before \(TokenRefused.format(nbf.value))")
        }
        guard let userId = UUID(uuidString: claims.sub.value) else {
            throw TokenRefused("token subject is not a user id (UUID)")
        }
        let identity = Identity(userId: userId, isAdmin: claims.admin)
        verified.insert(token, identity, expires: claims.exp.value)
        return identity
    }
}

/// Why a bearer token was refused: the text of the 401 response. It never repeats the token.
public struct TokenRefused: Error, CustomStringConvertible, Equatable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }

    /// jwt-kit's errors, in words a client can act on.
    init(jwtError error: any Error) {
        guard let jwt = error as? JWTError else {
            self.init("malformed token")
            return
        }
        switch jwt.errorType {
        case .signatureVerificationFailed: self.init("token signature does not verify")
        case .malformedToken, .invalidBool, .invalidHeaderField: self.init("malformed token (expected three base64url parts: header.payload.signature)")
        case .claimVerificationFailure: self.init("token claim refused: \(jwt.reason ?? "invalid")")
        case .unsupportedAlgorithm, .signingAlgorithmFailure, .unsupportedCurve:
            self.init("token algorithm does not fit its key")
        default: self.init("token refused (\(jwt.reason ?? String(describing: jwt.errorType)))")
        }
    }

    static func format(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}

/// Where the signing secret comes from: `SOUNDPROFILE_JWT_SECRET`, else `jwt-secret` in the
/// data directory, created with 32 random bytes and file mode 0600 on first use.
public enum JWTSecret {
    public static let environmentVariable = "SOUNDPROFILE_JWT_SECRET"
    public static let fileName = "jwt-secret"
    /// The shortest accepted secret, in bytes (HS256 wants a key as long as its 256-bit output).
    public static let minimumBytes = 32

    /// A secret that is too short to sign with.
    public struct TooShort: Error, CustomStringConvertible {
        public var source: String
        public var byteCount: Int
        public var description: String {
            "\(source) holds \(byteCount) byte\(byteCount == 1 ? "" : "s"); the signing secret must be at least \(JWTSecret.minimumBytes) bytes "
                + "(e.g. `openssl rand -base64 32`)"
        }
    }

    public static func load(dataDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [UInt8] {
        if let secret = environment[environmentVariable], !secret.isEmpty {
            guard secret.utf8.count >= minimumBytes else { throw TooShort(source: environmentVariable, byteCount: secret.utf8.count) }
            return Array(secret.utf8)
        }
        let fileManager = FileManager.default
        try fileManager.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = (dataDirectory as NSString).appendingPathComponent(fileName)
        if let existing = fileManager.contents(atPath: path), !existing.isEmpty {
            let secret = Array(String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).utf8)
            guard secret.count >= minimumBytes else { throw TooShort(source: path, byteCount: secret.count) }
            return secret
        }
        let random = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        let text = random.base64EncodedString()
        // Create with 0600 from the start so the secret is never readable by others.
        guard fileManager.createFile(atPath: path, contents: Data((text + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        return Array(text.utf8)
    }
}
