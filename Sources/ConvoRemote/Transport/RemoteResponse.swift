import Foundation
import NIOCore
import NIOFoundationCompat

/// A complete 2xx response: status, header fields and the collected body.
///
///     let page = try response.decode(ConversationPageBody.self)
public struct RemoteResponse: Sendable {
    /// The HTTP status (2xx).
    public let status: Int
    /// The response header fields, in order.
    public let headers: [(name: String, value: String)]
    /// The body, at most `RemoteConfiguration.maxResponseBytes`.
    public let body: ByteBuffer
    /// The request's endpoint, for errors raised while reading the response.
    public let endpoint: String

    /// Makes a response (the transport does; tests may).
    public init(status: Int, headers: [(name: String, value: String)], body: ByteBuffer, endpoint: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.endpoint = endpoint
    }

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }

    /// Whether the server replayed the first result of this idempotency key
    /// (`Idempotent-Replayed: true`).
    public var isReplayed: Bool { header("Idempotent-Replayed")?.lowercased() == "true" }

    /// The body's bytes.
    public var data: Data { Data(buffer: body) }

    /// Decodes the body as JSON.
    /// - Throws: `RemoteError` `malformedResponse` with `field` set to the coding path
    ///   (`$.conversations[2].id`) of what was missing or mistyped; `$` when the body is not JSON.
    public func decode<T: Decodable>(_ type: T.Type, using decoder: JSONDecoder = JSONDecoder()) throws -> T {
        do {
            return try decoder.decode(type, from: body)
        } catch let error as DecodingError {
            throw RemoteError(.malformedResponse, endpoint: endpoint, status: status, field: Self.path(of: error))
        } catch {
            throw RemoteError(.malformedResponse, endpoint: endpoint, status: status, field: "$")
        }
    }

    /// `$.a[2].b` for a decoding error's coding path (plus the missing key, if any).
    static func path(of error: DecodingError) -> String {
        var keys: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): keys = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            keys = context.codingPath
        @unknown default: keys = []
        }
        return keys.reduce("$") { path, key in
            if let index = key.intValue { return path + "[\(index)]" }
            return path + "." + key.stringValue
        }
    }
}
