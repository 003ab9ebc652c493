import ConvoModel
@testable import ConvoStore
import Foundation
import Testing

@Suite("Flat JSON objects")
struct FlatJSONObjectTests {
    static let simple = [
        #"{}"#, #"{"crm_id":"CRM-7","priority":2}"#, #"{"a":true,"b":false,"c":null}"#,
        #"{"n":-9223372036854775808,"m":9223372036854775807,"z":0,"neg":-0}"#, #"{"é":"café 🙂","k":""}"#,
    ]
    static let fallback = [
        #"{"nested":{"a":1}}"#, #"{"list":[1,2]}"#, #"{"f":1.5}"#, #"{"e":1e3}"#, #"{"big":9223372036854775808}"#,
        #"{"esc":"a\"b"}"#, #"{"u":"\u00e9"}"#, #"{ "spaced": 1 }"#, #"{"dup":1,"dup":2}"#, #"{"lead":01}"#,
        #"[1,2]"#, #""text""#, #"{"a":1}x"#, #"{"a":tru}"#, #"{"a":-}"#, #"{"a":1,}"#,
    ]

    @Test("simple flat objects are read directly, to the value the JSON decoder gives")
    func simpleObjectsMatchTheDecoder() throws {
        for text in Self.simple {
            let direct = try #require(FlatJSONObject.parse(text), "\(text)")
            let decoded = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
            #expect(direct == decoded, "\(text)")
        }
    }

    @Test("anything outside the simple subset falls back to the JSON decoder with the same result")
    func otherTextFallsBack() {
        for text in Self.fallback {
            #expect(FlatJSONObject.parse(text) == nil, "\(text)")
            #expect(JSONText.decode(text) == (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))), "\(text)")
        }
    }
}
