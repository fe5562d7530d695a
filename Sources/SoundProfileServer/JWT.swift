public import Foundation
import Crypto

/// HS256 JSON Web Tokens (RFC 7519), just what the service needs: sign and verify with one
/// shared secret, claims `sub` (user id), `admin`, `iat`, `exp`.
public struct JWTSigner: Sendable {
    private let key: SymmetricKey

    public init(secret: some DataProtocol) {
        self.key = SymmetricKey(data: Array(secret))
    }

    public struct Claims: Codable, Sendable, Equatable {
        public var sub: String
        public var admin: Bool
        public var iat: Int
        public var exp: Int
        /// Not before (optional): the token is refused until this time.
        public var nbf: Int?
    }

    /// Clock skew tolerated between the issuer and this service, in seconds, for `iat` and `nbf`.
    public static let leewaySeconds = 60

    /// Makes a token for `userId`, valid for `lifetime` seconds from now.
    public func token(userId: UUID, admin: Bool, lifetime: TimeInterval = 30 * 24 * 3600, now: Date = Date()) throws -> String {
        let header = Self.base64url(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let issued = Int(now.timeIntervalSince1970)
        let claims = Claims(sub: userId.uuidString.lowercased(), admin: admin, iat: issued, exp: issued + Int(lifetime), nbf: nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = Self.base64url(try encoder.encode(claims))
        let signingInput = "\(header).\(payload)"
        let signature = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: key)
        return "\(signingInput).\(Self.base64url(Data(signature)))"
    }

    /// The identity a token proves, or nil when it is malformed, not HS256, wrongly signed,
    /// expired, issued in the future (`iat`) or not yet valid (`nbf`); `iat` and `nbf` are
    /// checked with ``leewaySeconds`` of clock skew. The signature is checked (in constant time)
    /// before anything else is trusted.
    public func verify(_ token: String, now: Date = Date()) -> Identity? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = Self.decode(parts[0]),
              let payloadData = Self.decode(parts[1]),
              let signature = Self.decode(parts[2])
        else { return nil }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signingInput, using: key) else { return nil }
        struct Header: Decodable { var alg: String }
        guard (try? JSONDecoder().decode(Header.self, from: headerData))?.alg == "HS256",
              let claims = try? JSONDecoder().decode(Claims.self, from: payloadData),
              case let seconds = Int(now.timeIntervalSince1970),
              claims.exp > seconds,
              claims.iat <= seconds + Self.leewaySeconds,
              (claims.nbf ?? .min) <= seconds + Self.leewaySeconds,
              let userId = UUID(uuidString: claims.sub)
        else { return nil }
        return Identity(userId: userId, isAdmin: claims.admin)
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
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
