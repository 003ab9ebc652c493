import Foundation

/// A JSON value as the contract validator sees it: Sendable, with integers, fractional
/// numbers and booleans told apart (as JSON Schema's `integer`, `number` and `boolean`).
public enum ContractJSON: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number written without a fraction or exponent.
    case int(Int64)
    /// Any other number (integral values still count as JSON Schema integers).
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([ContractJSON])
    /// An object; member order is not kept.
    case object([String: ContractJSON])

    /// Parses JSON text with `JSONSerialization` (fragments allowed).
    ///
    /// - Throws: the serialization error for text that is not JSON.
    public init(data: Data) throws {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        self = ContractJSON(foundation: object)
    }

    /// Converts a value produced by `JSONSerialization`.
    public init(foundation value: Any) {
        switch value {
        case is NSNull:
            self = .null
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            self = ContractJSON(number: number)
        case let array as [Any]:
            self = .array(array.map(ContractJSON.init(foundation:)))
        case let object as [String: Any]:
            self = .object(object.mapValues(ContractJSON.init(foundation:)))
        default:
            self = .string(String(describing: value))
        }
    }

    private init(number: NSNumber) {
        // JSONSerialization marks booleans with the Objective-C type "c" on every platform.
        let type = String(cString: number.objCType)
        if type == "c" {
            self = .bool(number.boolValue)
        } else if type == "d" || type == "f" {
            self = .double(number.doubleValue)
        } else {
            self = .int(number.int64Value)
        }
    }

    /// The JSON Schema type name of this value (`integer` for integral numbers).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double(let value): value.rounded() == value && value.isFinite ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The numeric value, if this is a number.
    public var number: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// Members, if this is an object.
    public var members: [String: ContractJSON]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Elements, if this is an array.
    public var elements: [ContractJSON]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// The string, if this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The boolean, if this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// The member `key`, if this is an object holding it.
    public subscript(key: String) -> ContractJSON? {
        members?[key]
    }

    /// JSON equality as JSON Schema's `enum` and `const` use it: `1` equals `1.0`.
    public func jsonEquals(_ other: ContractJSON) -> Bool {
        if let lhs = number, let rhs = other.number { return lhs == rhs }
        switch (self, other) {
        case (.array(let lhs), .array(let rhs)):
            return lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.jsonEquals($1) }
        case (.object(let lhs), .object(let rhs)):
            return lhs.count == rhs.count
                && lhs.allSatisfy { key, value in rhs[key].map { value.jsonEquals($0) } ?? false }
        default:
            return self == other
        }
    }

    /// A short rendering for messages: strings quoted, containers summarised.
    public var brief: String {
        switch self {
        case .null: "null"
        case .bool(let value): String(value)
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value):
            value.count > 40 ? "\"\(value.prefix(40))…\"" : "\"\(value)\""
        case .array(let elements): "an array of \(elements.count)"
        case .object: "an object"
        }
    }
}
