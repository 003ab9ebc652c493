import ConvoModel
import Foundation
import NIOCore

/// Why a wire document was refused, and where: the members and indexes from the document's
/// root to the value (`$.conversations[2].id`), gathered as the error leaves each level, so
/// reading what is well formed pays nothing for it.
struct WireError: Error {
    enum Step {
        case member(String)
        case index(Int)
    }

    var path: [Step] = []
    var reason: String

    init(_ reason: String, at step: Step? = nil) {
        self.reason = reason
        if let step { path = [step] }
    }

    /// The same error one level further out.
    func inside(_ step: Step) -> WireError {
        var outer = self
        outer.path.insert(step, at: 0)
        return outer
    }

    /// The path as a field name: `$.a[2].b`.
    var field: String {
        path.reduce("$") { field, step in
            switch step {
            case .member(let name): field + "." + name
            case .index(let index): field + "[\(index)]"
            }
        }
    }
}

/// A value read from a wire document: the wire DTOs, and the JSON values they are made of.
///
/// A document is read once into a ``JSONValue`` (one pass over its bytes) and then mapped by
/// hand. There is no `Codable` between the two: `JSONDecoder` cost three times the parse, and
/// a member of any JSON type (metadata) had to be found by trying each type in turn.
protocol WireValue {
    /// Reads the value.
    /// - Throws: ``WireError``.
    init(wire value: JSONValue) throws
}

extension WireValue {
    /// Reads a whole document.
    /// - Throws: ``WireError``; at `$` when the bytes are not one JSON text in UTF-8.
    static func decode(document bytes: UnsafeRawBufferPointer) throws -> Self {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw WireError("not UTF-8") }
        return try decode(document: text)
    }

    /// Reads a whole document.
    /// - Throws: ``WireError``; at `$` when the text is not one JSON value.
    static func decode(document text: String) throws -> Self {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw WireError("not JSON: \(error)")
        }
        return try Self(wire: value)
    }
}

extension String: WireValue {
    init(wire value: JSONValue) throws {
        guard case .string(let text) = value else { throw WireError.mismatch("a string", value) }
        self = text
    }
}

extension Int: WireValue {
    init(wire value: JSONValue) throws {
        guard case .int(let number) = value, let exact = Int(exactly: number) else {
            throw WireError.mismatch("an integer", value)
        }
        self = exact
    }
}

extension Int64: WireValue {
    init(wire value: JSONValue) throws {
        guard case .int(let number) = value else { throw WireError.mismatch("an integer", value) }
        self = number
    }
}

extension Double: WireValue {
    init(wire value: JSONValue) throws {
        switch value {
        case .double(let number): self = number
        case .int(let number): self = Double(number)
        default: throw WireError.mismatch("a number", value)
        }
    }
}

extension Bool: WireValue {
    init(wire value: JSONValue) throws {
        guard case .bool(let flag) = value else { throw WireError.mismatch("a boolean", value) }
        self = flag
    }
}

extension JSONValue: WireValue {
    init(wire value: JSONValue) throws { self = value }
}

extension Array: WireValue where Element: WireValue {
    init(wire value: JSONValue) throws {
        guard case .array(let elements) = value else { throw WireError.mismatch("an array", value) }
        self = []
        reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                append(try Element(wire: element))
            } catch let error as WireError {
                throw error.inside(.index(index))
            }
        }
    }
}

extension WireError {
    /// A value of another JSON type than the one expected.
    static func mismatch(_ expected: String, _ value: JSONValue) -> WireError {
        let found =
            switch value {
            case .null: "null"
            case .bool: "a boolean"
            case .int, .double: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        return WireError("expected \(expected), found \(found)")
    }
}

/// A wire DTO read by hand from one JSON object: strict about what it reads (a missing,
/// mistyped or out-of-range member is named), and deaf to members it does not know.
///
/// Ignoring unknown members is deliberate: a platform that adds a field must not stop
/// every sync pass until the client is updated. Keeping a server to its contract is the
/// server's tests' job (the emulator's responses are validated against `Schema/`).
protocol WireDTO: WireValue {
    /// Reads the members from the object.
    init(wire object: WireObject) throws
}

extension WireDTO {
    init(wire value: JSONValue) throws {
        guard case .object(let members) = value else { throw WireError.mismatch("an object", value) }
        try self.init(wire: WireObject(members: members))
    }
}

/// One JSON object of a wire DTO: its members, read strictly about required-but-nullable
/// members and members that may be omitted but never null.
struct WireObject {
    let members: [String: JSONValue]

    /// A member that must be present and not null.
    func required<T: WireValue>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let value = members[name] else { throw WireError("missing member", at: .member(name)) }
        if case .null = value { throw WireError("null where a value is required", at: .member(name)) }
        return try read(value, name)
    }

    /// A member that must be present and may be null.
    func nullable<T: WireValue>(_ name: String, as type: T.Type = T.self) throws -> T? {
        guard let value = members[name] else { throw WireError("missing member", at: .member(name)) }
        if case .null = value { return nil }
        return try read(value, name)
    }

    /// A member that may be omitted but, when present, is not null.
    func omittable<T: WireValue>(_ name: String, as type: T.Type = T.self) throws -> T? {
        guard let value = members[name] else { return nil }
        if case .null = value { throw WireError("null where a value is required", at: .member(name)) }
        return try read(value, name)
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

    /// An error at a member, so the path names it.
    func corrupted(_ name: String, _ reason: String) -> WireError {
        WireError(reason, at: .member(name))
    }

    private func read<T: WireValue>(_ value: JSONValue, _ name: String) throws -> T {
        do {
            return try T(wire: value)
        } catch let error as WireError {
            throw error.inside(.member(name))
        }
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

extension RemoteResponse {
    /// Reads the body as the wire value `T`.
    /// - Throws: `RemoteError` `malformedResponse` with `field` set to the path
    ///   (`$.conversations[2].id`) of what was missing or mistyped; `$` when the body is not JSON.
    func decode<T: WireValue>(_ type: T.Type) throws -> T {
        do {
            return try body.withUnsafeReadableBytes { try T.decode(document: $0) }
        } catch let error as WireError {
            throw RemoteError(.malformedResponse, endpoint: endpoint, status: status, field: error.field)
        }
    }
}

/// Decoding outside a `RemoteResponse` (SSE event data) with the same error shape.
enum WireJSON {
    /// Reads `text` as `T`; a failure is `malformedResponse` whose field is `prefix` plus
    /// the path (`$.events[1].data.text`).
    static func decode<T: WireValue>(_ type: T.Type, from text: String, endpoint: String, field prefix: String) throws -> T {
        do {
            return try T.decode(document: text)
        } catch let error as WireError {
            throw RemoteError(.malformedResponse, endpoint: endpoint, field: prefix + error.field.dropFirst())
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
