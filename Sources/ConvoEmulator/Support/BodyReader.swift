/// Reads a JSON request body field by field and rejects what the route does not know.
///
/// A body that is not an object, a field of the wrong type, a missing required field
/// and an unknown field all throw `unprocessable` (422).
///
///     let body = try BodyReader(json, allowed: ["content"])
///     let content = try body.requiredString("content")
struct BodyReader {
    private let members: [(String, JSON)]
    private let allowed: Set<String>

    /// - Throws: `unprocessable` when `json` is not an object or names a field outside `allowed`.
    init(_ json: JSON, allowed: Set<String>) throws {
        guard case .object(let members) = json else {
            throw EmulatorError(.unprocessable, "the body must be a JSON object")
        }
        self.members = members
        self.allowed = allowed
        if let unknown = members.first(where: { !allowed.contains($0.0) }) {
            throw EmulatorError(.unprocessable, "unknown field '\(Self.printable(unknown.0))'")
        }
    }

    private func value(_ name: String) -> JSON? {
        members.first { $0.0 == name }?.1
    }

    /// A required non-empty string of at most `maxLength` characters (Unicode scalars,
    /// as JSON Schema's `maxLength` counts them).
    func requiredString(_ name: String, maxLength: Int = .max) throws -> String {
        guard let value = try optionalString(name, maxLength: maxLength, nonEmpty: true) else {
            throw EmulatorError(.unprocessable, "missing required field '\(name)'")
        }
        return value
    }

    /// A string of at most `maxLength` characters (Unicode scalars), or nil when absent
    /// or null; `nonEmpty` refuses `""`.
    func optionalString(_ name: String, maxLength: Int = .max, nonEmpty: Bool = false) throws -> String? {
        switch value(name) {
        case nil, .null?: return nil
        case .string(let text)?:
            guard !nonEmpty || !text.isEmpty else {
                throw EmulatorError(.unprocessable, "field '\(name)' must not be empty")
            }
            guard text.unicodeScalars.count <= maxLength else {
                throw EmulatorError(.unprocessable, "field '\(name)' is longer than \(maxLength) characters")
            }
            return text
        default: throw EmulatorError(.unprocessable, "field '\(name)' must be a string")
        }
    }

    /// A boolean or nil when absent or null.
    func optionalBool(_ name: String) throws -> Bool? {
        switch value(name) {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        default: throw EmulatorError(.unprocessable, "field '\(name)' must be a boolean")
        }
    }

    /// An integer within `range`, or nil when absent or null.
    func optionalInt(_ name: String, in range: ClosedRange<Int64>) throws -> Int64? {
        switch value(name) {
        case nil, .null?: return nil
        case .int(let number)?:
            guard range.contains(number) else {
                throw EmulatorError(.unprocessable, "field '\(name)' must be within \(range.lowerBound)...\(range.upperBound)")
            }
            return number
        default: throw EmulatorError(.unprocessable, "field '\(name)' must be an integer")
        }
    }

    /// A number within 0...1, or nil when absent or null.
    func optionalRate(_ name: String) throws -> Double? {
        switch value(name) {
        case nil, .null?: return nil
        case .int(let number)? where (0...1).contains(number): return Double(number)
        case .double(let number)? where (0...1).contains(number): return number
        default: throw EmulatorError(.unprocessable, "field '\(name)' must be a number within 0...1")
        }
    }

    /// A JSON object, or nil when absent or null.
    func optionalObject(_ name: String) throws -> JSON? {
        switch value(name) {
        case nil, .null?: return nil
        case .object(let members)?: return .object(members)
        default: throw EmulatorError(.unprocessable, "field '\(name)' must be an object")
        }
    }

    /// An array of strings, or nil when absent or null.
    func optionalStrings(_ name: String) throws -> [String]? {
        switch value(name) {
        case nil, .null?: return nil
        case .array(let elements)?:
            return try elements.map { element in
                guard case .string(let text) = element else {
                    throw EmulatorError(.unprocessable, "field '\(name)' must be an array of strings")
                }
                return text
            }
        default: throw EmulatorError(.unprocessable, "field '\(name)' must be an array of strings")
        }
    }

    /// A field name made safe to echo: printable ASCII, at most 64 characters.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(64).map {
            (0x20..<0x7F).contains($0.value) ? $0 : "?"
        }))
    }
}
