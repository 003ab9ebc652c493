import ConvoModel
import Foundation

/// A JSON member name, for wire DTOs that decode by hand: strict about required-but-nullable
/// members and members that may be omitted but never null.
struct WireKey: CodingKey, Hashable, ExpressibleByStringLiteral {
    let stringValue: String
    let intValue: Int?

    init(_ name: String) {
        stringValue = name
        intValue = nil
    }
    init(stringLiteral value: String) { self.init(value) }
    init?(stringValue: String) { self.init(stringValue) }
    init?(intValue: Int) {
        stringValue = String(intValue)
        self.intValue = intValue
    }
}

/// One JSON object of a wire DTO.
typealias WireObject = KeyedDecodingContainer<WireKey>

/// A wire DTO decoded by hand from one JSON object: strict about what it reads (a missing,
/// mistyped or out-of-range member is named), and deaf to members it does not know.
///
/// Ignoring unknown members is deliberate: a platform that adds a field must not stop
/// every sync pass until the client is updated. Keeping a server to its contract is the
/// server's tests' job (the emulator's responses are validated against `Schema/`).
protocol WireDTO: Decodable {
    /// Decodes the members from the object.
    init(wire object: WireObject) throws
}

extension WireDTO {
    /// What each DTO's `init(from:)` does (spelled out in each type, so that no
    /// synthesized conformance can take its place).
    static func strict(_ decoder: any Decoder) throws -> Self {
        try Self(wire: try decoder.container(keyedBy: WireKey.self))
    }
}

extension KeyedDecodingContainer where Key == WireKey {
    /// A member that must be present and not null.
    func required<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try decode(T.self, forKey: WireKey(name))
    }

    /// A member that must be present and may be null.
    func nullable<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        let key = WireKey(name)
        guard contains(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing member"))
        }
        return try decodeNil(forKey: key) ? nil : decode(T.self, forKey: key)
    }

    /// A member that may be omitted but, when present, is not null.
    func omittable<T: Decodable>(_ name: String, as type: T.Type = T.self) throws -> T? {
        let key = WireKey(name)
        guard contains(key) else { return nil }
        return try decode(T.self, forKey: key)
    }

    /// A count or size: an integer of at least `minimum`.
    func integer(_ name: String, minimum: Int = 0, maximum: Int = .max) throws -> Int {
        try checked(required(name, as: Int.self), name, minimum: minimum, maximum: maximum)
    }

    /// A nullable integer of at least `minimum`.
    func nullableInteger(_ name: String, minimum: Int = 0) throws -> Int? {
        try nullable(name, as: Int.self).map { try checked($0, name, minimum: minimum, maximum: .max) }
    }

    /// An RFC 3339 time (any offset and precision are accepted, as the contracts ask of clients).
    func time(_ name: String) throws -> Date {
        try parsedTime(required(name, as: String.self), name)
    }

    /// A nullable RFC 3339 time.
    func nullableTime(_ name: String) throws -> Date? {
        try nullable(name, as: String.self).map { try parsedTime($0, name) }
    }

    /// A role: `user` or `assistant`, anything else is malformed.
    func role(_ name: String = "role") throws -> Role {
        try enumerated(name, Role.self)
    }

    /// A closed set of strings.
    func enumerated<T: RawRepresentable>(_ name: String, _ type: T.Type) throws -> T where T.RawValue == String {
        let text = try required(name, as: String.self)
        guard let value = T(rawValue: text) else { throw corrupted(name, "unknown value") }
        return value
    }

    /// A JSON object, kept losslessly.
    func object(_ name: String) throws -> JSONValue {
        let value = try required(name, as: JSONValue.self)
        guard case .object = value else { throw corrupted(name, "not an object") }
        return value
    }

    /// An error at a member, so the coding path names it.
    func corrupted(_ name: String, _ reason: String) -> DecodingError {
        DecodingError.dataCorrupted(.init(codingPath: codingPath + [WireKey(name)], debugDescription: reason))
    }

    private func checked(_ value: Int, _ name: String, minimum: Int, maximum: Int) throws -> Int {
        guard value >= minimum, value <= maximum else { throw corrupted(name, "out of range") }
        return value
    }

    private func parsedTime(_ text: String, _ name: String) throws -> Date {
        guard let date = Timestamp.parse(text) else { throw corrupted(name, "not an RFC 3339 time") }
        return date
    }
}

/// Decoding outside a `RemoteResponse` (SSE event data) with the same error shape.
enum WireJSON {
    /// Decodes `text` as `T`; a failure is `malformedResponse` whose field is `prefix` plus
    /// the coding path (`$.events[1].data.text`).
    static func decode<T: Decodable>(_ type: T.Type, from text: String, endpoint: String, field prefix: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            let path = RemoteResponse.path(of: error).dropFirst()
            throw RemoteError(.malformedResponse, endpoint: endpoint, field: prefix + path)
        } catch {
            throw RemoteError(.malformedResponse, endpoint: endpoint, field: prefix)
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

    init(from decoder: any Decoder) throws { self = try Self.strict(decoder) }

    init(wire object: WireObject) throws {
        value = RemoteAgent(id: try object.required("id"), name: try object.required("name", as: String.self))
    }
}
