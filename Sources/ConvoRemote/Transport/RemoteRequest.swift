import Foundation

/// One request to a dialect endpoint, described by a route template relative to the base URL.
///
/// The route template (`/conversations/{id}/messages`) is what logs and errors show; the
/// parameters are percent-encoded into it as single path segments (a `/` or `..` in an id
/// cannot change the path), and query values are percent-encoded too.
///
///     var request = RemoteRequest(.post, "/conversations/{id}/messages", parameters: ["id": id],
///                                 idempotencyKey: key)
///     try request.setJSONBody(["content": text])
public struct RemoteRequest: Sendable {
    /// The HTTP methods the dialects use.
    public enum Method: String, Sendable, Hashable, CaseIterable {
        case get = "GET", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", head = "HEAD"

        /// Whether the method changes remote state (and may carry an `Idempotency-Key`).
        public var isMutating: Bool { self != .get && self != .head }
    }

    /// A request body.
    public enum Body: Sendable {
        /// `application/json` bytes.
        case json(Data)
        /// `multipart/form-data` (file uploads).
        case multipart(MultipartForm)
        /// Raw bytes with their content type.
        case bytes(Data, contentType: String)
    }

    /// One query parameter; a `nil` value leaves the parameter out.
    public struct QueryItem: Sendable, Hashable {
        /// The parameter name (percent-encoded when sent).
        public var name: String
        /// The value (percent-encoded when sent); `nil` leaves the parameter out.
        public var value: String?
        /// Makes a query parameter.
        public init(_ name: String, _ value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// The HTTP method.
    public var method: Method
    /// The path template relative to the base URL, starting with `/`; `{name}` placeholders
    /// are filled from `parameters`.
    public var route: String
    /// Values for the route's placeholders; each must be non-empty.
    public var parameters: [String: String]
    /// Query parameters, in order.
    public var query: [QueryItem]
    /// The body, if any.
    public var body: Body?
    /// Sent as `Idempotency-Key` (1–255 printable ASCII characters) so that a repeat
    /// replays the first result instead of writing twice (DESIGN "Offline writes").
    public var idempotencyKey: String?
    /// The `Accept` header. Default `application/json`.
    public var accept: String
    /// Extra header fields (never credentials: the transport adds those).
    public var headers: [(name: String, value: String)]

    /// Makes a request.
    public init(
        _ method: Method, _ route: String, parameters: [String: String] = [:], query: [QueryItem] = [],
        body: Body? = nil, idempotencyKey: String? = nil, accept: String = "application/json",
        headers: [(name: String, value: String)] = []
    ) {
        self.method = method
        self.route = route
        self.parameters = parameters
        self.query = query
        self.body = body
        self.idempotencyKey = idempotencyKey
        self.accept = accept
        self.headers = headers
    }

    /// `"POST /conversations/{id}/messages"`: how logs and errors name the request.
    public var endpoint: String { "\(method.rawValue) \(route)" }

    /// Encodes `value` as the JSON body.
    /// - Throws: `RemoteError` `invalidRequest` when the value cannot be encoded.
    public mutating func setJSONBody(_ value: some Encodable) throws {
        do {
            // Sorted keys make the bytes a function of the value: a retry under the same
            // Idempotency-Key (even from another process, after a crash) sends the same
            // body, which the server compares. Foundation's key order is not stable otherwise.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            body = .json(try encoder.encode(value))
        } catch {
            throw RemoteError(.invalidRequest, endpoint: endpoint, field: "body")
        }
    }

    /// The path and query to append to the base URL.
    /// - Throws: `RemoteError` `invalidRequest` for a missing or empty parameter.
    func pathAndQuery() throws -> String {
        var path = ""
        var rest = Substring(route)
        while let open = rest.firstIndex(of: "{") {
            path += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            let name = String(rest[rest.index(after: open)..<close])
            guard let value = parameters[name], !value.isEmpty else {
                throw RemoteError(.invalidRequest, endpoint: endpoint, field: name)
            }
            path += PercentEncoding.pathSegment(value)
            rest = rest[rest.index(after: close)...]
        }
        path += rest
        let items = query.compactMap { item in
            item.value.map { PercentEncoding.component(item.name) + "=" + PercentEncoding.component($0) }
        }
        return items.isEmpty ? path : path + "?" + items.joined(separator: "&")
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
enum PercentEncoding {
    static func component(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return result
    }

    /// A path segment: `.` and `..` are encoded too, so they cannot walk up the path.
    static func pathSegment(_ text: String) -> String {
        if text == "." { return "%2E" }
        if text == ".." { return "%2E%2E" }
        return component(text)
    }
}
