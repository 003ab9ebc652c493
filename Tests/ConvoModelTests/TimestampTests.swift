import ConvoModel
import Foundation
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test("whole seconds round-trip without a fraction")
    func wholeSecondsRoundTrip() throws {
        let text = "2026-01-02T03:04:05Z"
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date) == text)
    }

    @Test("milliseconds round-trip with three digits")
    func millisecondsRoundTrip() throws {
        let text = "2026-01-02T03:04:05.120Z"
        let date = try #require(Timestamp.parse(text))
        #expect(Timestamp.format(date) == text)
        #expect(Timestamp.milliseconds(date) % 1000 == 120)
    }

    @Test("an offset is normalised to UTC")
    func offsetBecomesUTC() throws {
        let date = try #require(Timestamp.parse("2026-01-02T05:04:05+02:00"))
        #expect(Timestamp.format(date) == "2026-01-02T03:04:05Z")
    }

    @Test("text that is not RFC 3339 is refused", arguments: ["", "yesterday", "2026-13-40T99:00:00Z", "2026-01-02"])
    func garbageIsRefused(text: String) {
        #expect(Timestamp.parse(text) == nil)
    }
}

@Suite("JSON values")
struct JSONValueTests {
    @Test("integers stay integers and objects keep every member")
    func integersStayIntegers() throws {
        let data = Data(#"{"n":3,"x":1.5,"s":"t","b":true,"z":null,"a":[1,"2"]}"#.utf8)
        let value = try JSONDecoder().decode(JSONValue.self, from: data)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let back = String(decoding: try encoder.encode(value), as: UTF8.self)
        #expect(back == #"{"a":[1,"2"],"b":true,"n":3,"s":"t","x":1.5,"z":null}"#)
    }
}
