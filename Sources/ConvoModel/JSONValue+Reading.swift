import Foundation

/// Why a JSON document could not be read as the value asked for, and where: the members and
/// indexes from the document's root to the value, gathered as the error leaves each level, so
/// reading a well-formed document pays nothing for them.
public struct JSONReadError: Error, Sendable, Hashable {
    /// One step of a path: a member name or an array index.
    public enum Step: Sendable, Hashable {
        case member(String)
        case index(Int)
    }

    /// What was wrong at the path.
    public enum Problem: Sendable, Hashable {
        /// The text is not one JSON value in UTF-8 (the path is empty).
        case notJSON(String)
        /// A required member is absent.
        case missing
        /// A value is `null` where one of `expected` was required.
        case null(expected: String)
        /// A value of another JSON type: `expected` and `found` are "a string", "an object", …
        case mismatch(expected: String, found: String)
        /// A value of the right type that is not acceptable (an unknown role, a bad time).
        case invalid(String)
    }

    public var path: [Step]
    public var problem: Problem

    public init(_ problem: Problem, at path: [Step] = []) {
        self.problem = problem
        self.path = path
    }

    /// The same error one level further out.
    public func inside(_ step: Step) -> JSONReadError {
        var outer = self
        outer.path.insert(step, at: 0)
        return outer
    }

    /// The path in the form `$.conversations[2].id` (`$` for the root).
    public var jsonPath: String {
        path.reduce("$") { field, step in
            switch step {
            case .member(let name): field + "." + name
            case .index(let index): field + "[\(index)]"
            }
        }
    }
}

/// A value read by hand from a parsed JSON document (``JSONValue``).
///
/// Reading a document is one pass over its bytes (``JSONValue/parse(_:)``) and then a walk
/// over the values, with no `Codable` between the two: `JSONDecoder` cost three to four times
/// the parse, and a member of any JSON type (metadata) could only be found by trying each
/// type in turn. Conformers read strictly and name what they refuse (``JSONReadError``).
public protocol JSONReadable {
    /// Reads the value.
    init(json value: JSONValue) throws(JSONReadError)
}

extension JSONReadable {
    /// Reads a whole document.
    /// - Throws: ``JSONReadError``, `notJSON` when the bytes are not one JSON text in UTF-8.
    public static func read(document bytes: UnsafeRawBufferPointer) throws(JSONReadError) -> Self {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw JSONReadError(.notJSON("not UTF-8")) }
        return try read(document: text)
    }

    /// Reads a whole document.
    /// - Throws: ``JSONReadError``, `notJSON` when the text is not one JSON value.
    public static func read(document text: String) throws(JSONReadError) -> Self {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw JSONReadError(.notJSON(error.description))
        }
        return try Self(json: value)
    }
}

extension JSONValue: JSONReadable {
    public init(json value: JSONValue) { self = value }

    /// The value's JSON type, as errors name it: "a string", "an object", …
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension String: JSONReadable {
    public init(json value: JSONValue) throws(JSONReadError) {
        guard case .string(let text) = value else { throw .mismatch("a string", value) }
        self = text
    }
}

extension Int64: JSONReadable {
    public init(json value: JSONValue) throws(JSONReadError) {
        guard case .int(let number) = value else { throw .mismatch("an integer", value) }
        self = number
    }
}

extension Int: JSONReadable {
    public init(json value: JSONValue) throws(JSONReadError) {
        guard let exact = Int(exactly: try Int64(json: value)) else { throw .mismatch("an integer", value) }
        self = exact
    }
}

extension Double: JSONReadable {
    public init(json value: JSONValue) throws(JSONReadError) {
        switch value {
        case .double(let number): self = number
        case .int(let number): self = Double(number)
        default: throw .mismatch("a number", value)
        }
    }
}

extension Bool: JSONReadable {
    public init(json value: JSONValue) throws(JSONReadError) {
        guard case .bool(let flag) = value else { throw .mismatch("a boolean", value) }
        self = flag
    }
}

extension Array: JSONReadable where Element: JSONReadable {
    public init(json value: JSONValue) throws(JSONReadError) {
        guard case .array(let elements) = value else { throw .mismatch("an array", value) }
        self = []
        reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do throws(JSONReadError) {
                append(try Element(json: element))
            } catch {
                throw error.inside(.index(index))
            }
        }
    }
}

extension JSONReadError {
    /// A value of another JSON type than `expected`.
    public static func mismatch(_ expected: String, _ value: JSONValue) -> JSONReadError {
        if case .null = value { return JSONReadError(.null(expected: expected)) }
        return JSONReadError(.mismatch(expected: expected, found: value.typeDescription))
    }
}

/// One JSON object read member by member, strict about what each member may be: present and
/// not null (``required(_:as:)``), present and maybe null (``nullable(_:as:)``), absent but
/// never null (``omittable(_:as:)``), or absent or null (``optional(_:as:)``). An error names
/// the member; members nobody asks for are ignored.
public struct JSONObjectReader: Sendable {
    public let members: [String: JSONValue]

    public init(members: [String: JSONValue]) {
        self.members = members
    }

    /// The object `value` holds.
    public init(_ value: JSONValue) throws(JSONReadError) {
        guard case .object(let members) = value else { throw .mismatch("an object", value) }
        self.members = members
    }

    /// A member that must be present and not null.
    public func required<T: JSONReadable>(_ name: String, as type: T.Type = T.self) throws(JSONReadError) -> T {
        guard let value = members[name] else { throw JSONReadError(.missing, at: [.member(name)]) }
        try refuseNull(value, name, as: T.self)
        return try read(value, name)
    }

    /// A member that must be present and may be null.
    public func nullable<T: JSONReadable>(_ name: String, as type: T.Type = T.self) throws(JSONReadError) -> T? {
        guard let value = members[name] else { throw JSONReadError(.missing, at: [.member(name)]) }
        if case .null = value { return nil }
        return try read(value, name)
    }

    /// A member that may be absent but, when present, is not null.
    public func omittable<T: JSONReadable>(_ name: String, as type: T.Type = T.self) throws(JSONReadError) -> T? {
        guard let value = members[name] else { return nil }
        try refuseNull(value, name, as: T.self)
        return try read(value, name)
    }

    /// A member that may be absent or null.
    public func optional<T: JSONReadable>(_ name: String, as type: T.Type = T.self) throws(JSONReadError) -> T? {
        guard let value = members[name] else { return nil }
        if case .null = value { return nil }
        return try read(value, name)
    }

    /// An error at a member: its value is not acceptable.
    public func invalid(_ name: String, _ reason: String) -> JSONReadError {
        JSONReadError(.invalid(reason), at: [.member(name)])
    }

    /// Every readable type but ``JSONValue`` refuses `null` itself, naming what it expected;
    /// a member read as any JSON value must still not be null where null is not allowed.
    private func refuseNull<T: JSONReadable>(_ value: JSONValue, _ name: String, as type: T.Type) throws(JSONReadError) {
        if case .null = value, T.self == JSONValue.self {
            throw JSONReadError(.null(expected: "a value"), at: [.member(name)])
        }
    }

    private func read<T: JSONReadable>(_ value: JSONValue, _ name: String) throws(JSONReadError) -> T {
        do throws(JSONReadError) {
            return try T(json: value)
        } catch {
            throw error.inside(.member(name))
        }
    }
}
