public import Hummingbird
import NIOHTTP1
import SoundProfileStore
import Foundation

/// One invalid field of a request: a dotted path (`right.250`, `email`) and what is wrong.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// The JSON body of every error response.
public struct ErrorBody: Codable, Sendable {
    public var status: Int
    public var message: String
    public var fields: [FieldError]?
}

/// An error with an HTTP status and a JSON body `{status, message, fields?}`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var fields: [FieldError]
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ message: String, fields: [FieldError] = []) {
        self.status = status
        self.message = message
        self.fields = fields
    }

    public static func unauthorized(_ message: String) -> APIError {
        var error = APIError(.unauthorized, message)
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }
    public static func forbidden(_ message: String = "not allowed for this token") -> APIError { APIError(.forbidden, message) }
    public static func notFound(_ what: String) -> APIError { APIError(.notFound, "\(what) not found") }
    public static func invalid(_ fields: [FieldError]) -> APIError {
        APIError(.unprocessableContent, "the request has invalid fields", fields: fields)
    }
    public static func invalid(_ field: String, _ message: String) -> APIError { invalid([FieldError(field: field, message: message)]) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ErrorBody(status: Int(status.code), message: message, fields: fields.isEmpty ? nil : fields)
        var response = try JSONCoding.response(body, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

/// Turns every error into a JSON error response, so outer middleware (metrics, request id,
/// logging) always see a response with its real status. Unknown errors are logged and answered
/// with a 500 that reveals nothing.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as HTTPError {
            var converted = APIError(error.status, error.body ?? error.status.reasonPhrase)
            converted.headers = error.headers
            return try converted.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let converted = APIError(error.status, error.status.reasonPhrase)
            return try converted.response(from: request, context: context)
        } catch StoreError.unavailable(let reason) {
            // A database outage or a statement over its timeout: temporary, so 503 and when to retry.
            context.logger.warning("database unavailable", metadata: ["reason": "\(reason)"])
            var converted = APIError(.serviceUnavailable, "the database is unavailable; retry shortly")
            converted.headers[.retryAfter] = "1"
            return try converted.response(from: request, context: context)
        } catch StoreError.invalidText(let reason) {
            return try APIError(.unprocessableContent, "the request has invalid text: \(reason)").response(from: request, context: context)
        } catch let error as HTTPParserError {
            // Malformed framing met while reading the body (e.g. a bad chunk-size line): the
            // client's fault, so 400, and the connection is not reused.
            var converted = APIError(.badRequest, "the request body is malformed HTTP (\(error))")
            converted.headers[.connection] = "close"
            return try converted.response(from: request, context: context)
        } catch {
            context.logger.error("unhandled error", metadata: ["error": "\(String(reflecting: error))"])
            return try APIError(.internalServerError, "internal error").response(from: request, context: context)
        }
    }
}
