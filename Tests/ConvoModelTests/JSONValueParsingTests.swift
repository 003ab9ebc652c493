import ConvoModel
import Foundation
import Testing

@Suite("JSON values read in one pass")
struct JSONValueParsingTests {
    /// Texts whose value must equal what `JSONDecoder` makes of them.
    static let valid = [
        #"{}"#, #"[]"#, #"{"crm_id":"CRM-7","priority":2}"#, #"{"a":true,"b":false,"c":null}"#,
        #"{"n":-9223372036854775808,"m":9223372036854775807,"z":0,"neg":-0}"#, #"{"é":"café 🙂","k":""}"#,
        #"{"nested":{"a":1,"b":[1,2,{"c":null}]}}"#, #"{"list":[1,2]}"#, #"{"f":1.5}"#, #"{"f":-0.25}"#,
        #"{"big":9223372036854775808}"#, #"{"small":-9223372036854775809}"#, #"{"esc":"a\"b\\c\/d\b\f\n\r\t"}"#,
        #"{"u":"\u00e9\u0000\u001f"}"#, #"{"pair":"\ud83d\ude42"}"#, #" { "spaced" : 1 , "x" : [ ] } "#,
        #"[1,"two",3.5,true,null,{"k":"v"}]"#, #""text""#, #"42"#, #"-7"#, #"3.25"#, #"true"#, #"null"#,
        #"{"f":1.5e3}"#, #"{"f":2E-2}"#, #"{"f":1.0}"#, #"{"f":-0.0}"#, #"{"f":1e18}"#, #"{"f":1e19}"#,
    ]
    /// Texts that are not one JSON value.
    static let invalid = [
        "", " ", #"{"a":1}x"#, #"{"a":tru}"#, #"{"a":-}"#, #"{"a":1,}"#, #"[1,]"#, #"{"lead":01}"#, #"{"a" 1}"#,
        #"{a:1}"#, #"{"s":"unterminated}"#, #"{"s":"bad \q escape"}"#, #"{"s":"\ud83d"}"#, #"{"s":"\u12"}"#,
        "{\"s\":\"raw\u{1}control\"}", #"[1.]"#, #"[1e]"#, #"[.5]"#, #"[+1]"#, #"[1e999]"#, #"nul"#,
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ]

    @Test("every valid text reads to the value JSONDecoder gives")
    func matchesTheDecoder() throws {
        for text in Self.valid {
            let parsed = try JSONValue.parse(text)
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(parsed == decoded, "\(text)")
        }
    }

    @Test("a repeated member name keeps its last value")
    func repeatedMemberKeepsTheLast() throws {
        #expect(try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#) == .object(["a": .int(3), "b": .int(2)]))
        #expect(try JSONValue.parse(#"{"a":{"x":1},"a":{"y":2}}"#) == .object(["a": .object(["y": .int(2)])]))
    }

    @Test("numbers whose value is a whole Int64 are integers, as JSONDecoder reads them; the rest are doubles")
    func numberKinds() throws {
        #expect(try JSONValue.parse("9223372036854775807") == .int(.max))
        #expect(try JSONValue.parse("-9223372036854775808") == .int(.min))
        #expect(try JSONValue.parse("9223372036854775808") == .double(9_223_372_036_854_775_808))
        #expect(try JSONValue.parse("1.5") == .double(1.5))
        #expect(try JSONValue.parse("1.5e3") == .int(1500))
        #expect(try JSONValue.parse("2E-2") == .double(0.02))
        #expect(try JSONValue.parse(#"{"dup":1,"dup":2}"#) == .object(["dup": .int(2)]))
    }

    @Test("anything that is not one JSON value is refused with the offset where reading stopped")
    func refusesInvalidText() {
        for text in Self.invalid {
            #expect(throws: JSONValue.ParseError.self, "\(text.prefix(40))") { try JSONValue.parse(text) }
        }
        let error = #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(#"{"a":1}x"#) }
        #expect(error?.offset == 7)
    }

    @Test("what canonical text writes reads back to the same value")
    func canonicalTextRoundTrips() throws {
        // Not -9223372036854775809: read as a double, its shortest text is Int64.min's value,
        // which reads back as an integer (as JSONDecoder reads it too).
        for text in Self.valid where !text.contains("-9223372036854775809") {
            let value = try JSONValue.parse(text)
            #expect(try JSONValue.parse(value.canonicalText) == value, "\(text)")
        }
    }
}
