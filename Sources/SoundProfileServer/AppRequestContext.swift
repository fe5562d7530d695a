public import Hummingbird
public import Foundation

/// Who is calling: set by ``JWTAuthenticator`` from a verified bearer token.
public struct Identity: Sendable, Equatable {
    public var userId: UUID
    public var isAdmin: Bool
    public init(userId: UUID, isAdmin: Bool) {
        self.userId = userId
        self.isAdmin = isAdmin
    }
}

/// Request context of every route: the core context plus the caller's identity.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var identity: Identity?
    /// Request id (from `X-Request-Id` or generated), echoed in the response and logs.
    public var requestID: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.requestID = nil
    }

    /// JSON bodies are collected up to this size; larger gets 413. Uploads have their own limit.
    public var maxUploadSize: Int { 1 << 20 }

    /// The authenticated caller; 401 when the request carried no valid token.
    func caller() throws -> Identity {
        guard let identity else { throw APIError.unauthorized("missing or invalid bearer token") }
        return identity
    }
}
