import ConvoModel

/// A direct reader for the JSON objects metadata usually is: flat, compact, with string,
/// integer, boolean and null values and no escapes, as `JSONText.encode` writes them.
///
/// Decoding through `JSONDecoder` makes `JSONValue` try each type in turn and throw on each
/// miss, which made a listing spend most of its time in metadata. For the simple subset this
/// reads the bytes once and gives the same value the decoder gives; for anything else
/// (nesting, fractions, exponents, escapes, whitespace, repeated keys) it returns `nil` and
/// the caller decodes as before.
enum FlatJSONObject {
    /// The object `text` holds, or `nil` when it is not a flat, simple, compact object.
    static func parse(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { bytes -> JSONValue? in
            var reader = Reader(bytes: bytes)
            return reader.object()
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func object() -> JSONValue? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var members: [String: JSONValue] = [:]
            if take(UInt8(ascii: "}")) { return index == bytes.count ? .object(members) : nil }
            while true {
                guard let key = string(), take(UInt8(ascii: ":")), let value = value() else { return nil }
                guard members.updateValue(value, forKey: key) == nil else { return nil }
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")), index == bytes.count else { return nil }
                return .object(members)
            }
        }

        mutating func value() -> JSONValue? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "t"): return literal("true") ? .bool(true) : nil
            case UInt8(ascii: "f"): return literal("false") ? .bool(false) : nil
            case UInt8(ascii: "n"): return literal("null") ? .null : nil
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return integer().map(JSONValue.int)
            default: return nil
            }
        }

        /// A string with no escape and no control character.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// An integer in JSON's syntax (no leading zero, no fraction, no exponent) that fits `Int64`.
        mutating func integer() -> Int64? {
            let negative = take(UInt8(ascii: "-"))
            let start = index
            var magnitude: Int64 = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                let digit = Int64(bytes[index] - UInt8(ascii: "0"))
                // Accumulate negatively: Int64.min has no positive counterpart.
                let (shifted, overflowA) = magnitude.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = shifted.subtractingReportingOverflow(digit)
                guard !overflowA, !overflowB else { return nil }
                magnitude = next
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
                return nil
            }
            if negative { return magnitude }
            let (positive, overflow) = Int64(0).subtractingReportingOverflow(magnitude)
            return overflow ? nil : positive
        }

        mutating func literal(_ word: String) -> Bool {
            var end = index
            for byte in word.utf8 {
                guard end < bytes.count, bytes[end] == byte else { return false }
                end += 1
            }
            index = end
            return true
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
    }
}
