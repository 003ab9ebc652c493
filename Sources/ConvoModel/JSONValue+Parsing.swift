extension JSONValue {
    /// Why a text is not one JSON value.
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// The UTF-8 offset where reading stopped.
        public var offset: Int
        /// What was wrong there.
        public var reason: String

        public var description: String { "not JSON at byte \(offset): \(reason)" }
    }

    /// The deepest nesting of arrays and objects read, so hostile text cannot exhaust the stack.
    public static let maximumDepth = 256

    /// Reads one JSON value (RFC 8259) from `text`, in one pass over its bytes.
    ///
    /// What `JSONDecoder` would give, without trying each type in turn: a number whose value
    /// is a whole `Int64` is `.int` (`3`, `1.5e3`), any other `.double`; a repeated object key
    /// keeps its last value. Whitespace around the value is allowed; anything after it is not.
    ///
    ///     let metadata = try JSONValue.parse(#"{"crm_id":"CRM-7","priority":2}"#)
    ///
    /// - Throws: ``ParseError`` naming the offset and what was wrong.
    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        var text = text
        let result = text.withUTF8 { bytes -> Result<JSONValue, ParseError> in
            var reader = JSONReader(bytes: bytes)
            do throws(ParseError) {
                reader.skipWhitespace()
                let value = try reader.value(depth: 0)
                reader.skipWhitespace()
                guard reader.index == bytes.count else { throw reader.failure("text after the value") }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// The byte reader behind ``JSONValue/parse(_:)``.
private struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    func failure(_ reason: String) -> JSONValue.ParseError {
        JSONValue.ParseError(offset: index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func value(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard index < bytes.count else { throw failure("the text ends before a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw failure("no value starts here")
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) throws(JSONValue.ParseError) -> JSONValue {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            (0..<count).allSatisfy({ bytes[index + $0] == word.utf8Start[$0] })
        else { throw failure("expected \(word)") }
        index += count
        return value
    }

    private mutating func object(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw failure("nested too deep") }
        index += 1
        skipWhitespace()
        if take(UInt8(ascii: "}")) { return .object([:]) }
        // Members are gathered first and hashed once into a dictionary of their number: adding
        // them one by one grew the dictionary, and hashed every key again, three times or four.
        var members: [(String, JSONValue)] = []
        members.reserveCapacity(16)
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure("expected a member name") }
            let key = try string()
            skipWhitespace()
            guard take(UInt8(ascii: ":")) else { throw failure("expected ':'") }
            skipWhitespace()
            members.append((key, try value(depth: depth)))
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "}")) else { throw failure("expected ',' or '}'") }
            // A repeated key keeps its last value, as JSONDecoder does.
            return .object(Dictionary(members, uniquingKeysWith: { _, last in last }))
        }
    }

    private mutating func array(depth: Int) throws(JSONValue.ParseError) -> JSONValue {
        guard depth <= JSONValue.maximumDepth else { throw failure("nested too deep") }
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if take(UInt8(ascii: "]")) { return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            if take(UInt8(ascii: ",")) { continue }
            guard take(UInt8(ascii: "]")) else { throw failure("expected ',' or ']'") }
            return .array(elements)
        }
    }

    /// A string; the text between escapes is copied as it stands (it is valid UTF-8).
    private mutating func string() throws(JSONValue.ParseError) -> String {
        index += 1
        var result = ""
        var runStart = index
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                result += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                index += 1
                return result
            case UInt8(ascii: "\\"):
                result += String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                index += 1
                try escape(into: &result)
                runStart = index
            case 0x00..<0x20:
                throw failure("a control character inside a string")
            default:
                index += 1
            }
        }
        throw failure("the string does not end")
    }

    private mutating func escape(into result: inout String) throws(JSONValue.ParseError) {
        guard index < bytes.count else { throw failure("the escape does not end") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""): result += "\""
        case UInt8(ascii: "\\"): result += "\\"
        case UInt8(ascii: "/"): result += "/"
        case UInt8(ascii: "b"): result += "\u{8}"
        case UInt8(ascii: "f"): result += "\u{C}"
        case UInt8(ascii: "n"): result += "\n"
        case UInt8(ascii: "r"): result += "\r"
        case UInt8(ascii: "t"): result += "\t"
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            if (0xD800..<0xDC00).contains(unit) {
                // A high surrogate must be followed by an escaped low one.
                guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw failure("a lone surrogate") }
                let low = try hexUnit()
                guard (0xDC00..<0xE000).contains(low) else { throw failure("a lone surrogate") }
                let scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                guard let value = Unicode.Scalar(scalar) else { throw failure("not a character") }
                result.unicodeScalars.append(value)
            } else {
                guard let value = Unicode.Scalar(unit) else { throw failure("a lone surrogate") }
                result.unicodeScalars.append(value)
            }
        default:
            throw failure("an unknown escape")
        }
    }

    private mutating func hexUnit() throws(JSONValue.ParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("the \\u escape does not end") }
        var unit: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("not a hex digit")
            }
            unit = unit << 4 | UInt32(digit)
            index += 1
        }
        return unit
    }

    /// A number in JSON's grammar: an integer that fits `Int64` is `.int`, anything else `.double`.
    private mutating func number() throws(JSONValue.ParseError) -> JSONValue {
        let start = index
        _ = take(UInt8(ascii: "-"))
        guard index < bytes.count, isDigit(bytes[index]) else { throw failure("a number needs a digit") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        var integral = true
        if take(UInt8(ascii: ".")) {
            integral = false
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("a fraction needs a digit") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integral = false
            index += 1
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            guard index < bytes.count, isDigit(bytes[index]) else { throw failure("an exponent needs a digit") }
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if integral, let value = Int64(text) { return .int(value) }
        guard let value = Double(text), value.isFinite else { throw failure("a number out of range") }
        // As JSONDecoder reads it: a fraction or exponent that comes to a whole Int64 is one.
        if !integral, let whole = Int64(exactly: value) { return .int(whole) }
        return .double(value)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
