import ConvoModel
import Foundation
import NIOCore

/// A value read from a wire document: the wire DTOs, and the JSON values they are made of
/// (``JSONReadable``: one parse, then a walk by hand, no `Codable`).
typealias WireValue = JSONReadable

/// One JSON object of a wire DTO.
typealias WireObject = JSONObjectReader

/// A wire DTO read by hand from one JSON object: strict about what it reads (a missing,
/// mistyped or out-of-range member is named), and deaf to members it does not know.
///
/// Ignoring unknown members is deliberate: a platform that adds a field must not stop
/// every sync pass until the client is updated. Keeping a server to its contract is the
/// server's tests' job (the emulator's responses are validated against `Schema/`).
protocol WireDTO: WireValue {
    /// Reads the members from the object.
    /// - Throws: ``JSONReadError``.
    init(wire object: WireObject) throws
}

extension WireDTO {
    init(json value: JSONValue) throws(JSONReadError) {
        let object = try JSONObjectReader(value)
        do {
            try self.init(wire: object)
        } catch let error as JSONReadError {
            throw error
        } catch {
            throw JSONReadError(.invalid(String(describing: error)))
        }
    }
}

extension JSONObjectReader {
    /// A count or size: an integer of at least `minimum`.
    func integer(_ name: String, minimum: Int = 0, maximum: Int = .max) throws(JSONReadError) -> Int {
        try checked(required(name, as: Int.self), name, minimum: minimum, maximum: maximum)
    }

    /// A nullable integer of at least `minimum`.
    func nullableInteger(_ name: String, minimum: Int = 0) throws(JSONReadError) -> Int? {
        guard let value = try nullable(name, as: Int.self) else { return nil }
        return try checked(value, name, minimum: minimum, maximum: .max)
    }

    /// An RFC 3339 time (any offset and precision are accepted, as the contracts ask of clients).
    func time(_ name: String) throws(JSONReadError) -> Date {
        try parsedTime(required(name, as: String.self), name)
    }

    /// A nullable RFC 3339 time.
    func nullableTime(_ name: String) throws(JSONReadError) -> Date? {
        guard let text = try nullable(name, as: String.self) else { return nil }
        return try parsedTime(text, name)
    }

    /// A role: `user` or `assistant`, anything else is malformed.
    func role(_ name: String = "role") throws(JSONReadError) -> Role {
        try enumerated(name, Role.self)
    }

    /// A closed set of strings.
    func enumerated<T: RawRepresentable>(_ name: String, _ type: T.Type) throws(JSONReadError) -> T
    where T.RawValue == String {
        let text = try required(name, as: String.self)
        guard let value = T(rawValue: text) else { throw corrupted(name, "unknown value") }
        return value
    }

    /// A JSON object, kept losslessly.
    func object(_ name: String) throws(JSONReadError) -> JSONValue {
        let value = try required(name, as: JSONValue.self)
        guard case .object = value else { throw corrupted(name, "not an object") }
        return value
    }

    /// An error at a member, so the path names it.
    func corrupted(_ name: String, _ reason: String) -> JSONReadError {
        invalid(name, reason)
    }

    private func checked(_ value: Int, _ name: String, minimum: Int, maximum: Int) throws(JSONReadError) -> Int {
        guard value >= minimum, value <= maximum else { throw corrupted(name, "out of range") }
        return value
    }

    private func parsedTime(_ text: String, _ name: String) throws(JSONReadError) -> Date {
        guard let date = Timestamp.parse(text) else { throw corrupted(name, "not an RFC 3339 time") }
        return date
    }
}

extension RemoteResponse {
    /// Reads the body as the wire value `T`.
    /// - Throws: `RemoteError` `malformedResponse` with `field` set to the path
    ///   (`$.conversations[2].id`) of what was missing or mistyped; `$` when the body is not JSON.
    func decode<T: WireValue>(_ type: T.Type) throws -> T {
        do {
            return try body.withUnsafeReadableBytes { bytes throws(JSONReadError) in try T.read(document: bytes) }
        } catch {
            throw RemoteError(.malformedResponse, endpoint: endpoint, status: status, field: error.jsonPath)
        }
    }
}

/// Decoding outside a `RemoteResponse` (SSE event data) with the same error shape.
enum WireJSON {
    /// Reads `text` as `T`; a failure is `malformedResponse` whose field is `prefix` plus
    /// the path (`$.events[1].data.text`).
    static func decode<T: WireValue>(_ type: T.Type, from text: String, endpoint: String, field prefix: String) throws -> T {
        do {
            return try T.read(document: text)
        } catch {
            throw RemoteError(.malformedResponse, endpoint: endpoint, field: prefix + error.jsonPath.dropFirst())
        }
    }
}

/// Checks shared by the adapters before anything is sent.
enum RequestChecks {
    /// Every listing takes a size of 1…100 (the contracts' page-size rule).
    static func pageSize(_ size: Int, endpoint: String) throws -> Int {
        guard (1...100).contains(size) else { throw RemoteError(.invalidRequest, endpoint: endpoint, field: "pageSize") }
        return size
    }

    /// The error for a paging position of another kind than the dialect's.
    static func wrongPosition(_ endpoint: String) -> RemoteError {
        RemoteError(.invalidRequest, endpoint: endpoint, field: "position")
    }

    /// The error for a filter the dialect cannot apply.
    static func unsupportedFilter(_ name: String, endpoint: String) -> RemoteError {
        RemoteError(.unsupported, endpoint: endpoint, field: "filter.\(name)")
    }
}

/// An agent, `{"id","name"}`: the same object in every dialect that lists agents.
struct WireAgent: WireDTO {
    var value: RemoteAgent

    init(wire object: WireObject) throws {
        value = RemoteAgent(id: try object.required("id"), name: try object.required("name", as: String.self))
    }
}
