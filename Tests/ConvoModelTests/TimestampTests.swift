@testable import ConvoModel
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

    /// What Foundation's ISO 8601 parser, which read every timestamp before the hand-written
    /// reading of the common forms, makes of `text`, in milliseconds.
    static func foundationMilliseconds(_ text: String) -> Int64? {
        let style = text.contains(".")
            ? Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
            : Date.ISO8601FormatStyle(timeZone: .gmt)
        return (try? style.parse(text)).map(Timestamp.milliseconds)
    }

    @Test("the forms every dialect sends read to the time Foundation's ISO 8601 parser gives")
    func commonFormsMatchFoundation() throws {
        // A fixed linear congruential sequence: the same 3,000 times on every run.
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var texts = [
            "1970-01-01T00:00:00Z", "2000-02-29T23:59:59.999Z", "2100-02-28T00:00:00Z", "1969-12-31T23:59:59.001Z",
            "2026-01-02T03:04:05+14:00", "2026-01-02T03:04:05-12:00", "2026-01-02T00:30:00.500+05:30", "1600-03-01T00:00:00Z",
            "1583-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
        ]
        for _ in 0..<3000 {
            let year = 1900 + next(300)
            let month = 1 + next(12)
            let day = 1 + next(month == 2 ? 28 : 30)
            var text = "\(year)-\(two(month))-\(two(day))T\(two(next(24))):\(two(next(60))):\(two(next(60)))"
            if next(2) == 0 { text += "." + String(String(1000 + next(1000)).dropFirst()) }
            switch next(3) {
            case 0: text += "Z"
            default: text += (next(2) == 0 ? "+" : "-") + "\(two(next(15))):\(two([0, 15, 30, 45][next(4)]))"
            }
            texts.append(text)
        }
        for text in texts {
            let expected = try #require(Self.foundationMilliseconds(text), "\(text)")
            #expect(Timestamp.commonFormMilliseconds(text) == expected, "\(text)")
            let date = try #require(Timestamp.parse(text))
            #expect(Timestamp.milliseconds(date) == expected, "\(text)")
        }
    }

    @Test("a time of a common form's shape that is not valid reads as Foundation's parser reads it", arguments: [
        "2026-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-02T24:00:00Z",
        "2026-01-02T23:60:00Z", "2026-01-02T23:59:60Z", "2026-00-10T00:00:00Z", "2026-01-00T00:00:00Z",
        "2026-13-01T00:00:00Z", "2026-01-02T03:04:05+24:00", "2026-01-02T03:04:05+02:60", "2026-01-02t03:04:05Z",
        "2026-01-02T03:04:05z", "2026-01-02T03:04:05.1Z", "2026-01-02T03:04:05.123456Z", "0000-01-01T00:00:00Z",
        "1000-01-01T00:00:00Z", "2026-01-02T03:04:05+0200", "2026-01-02 03:04:05Z", "2026-01-02T03:04:05.12aZ",
        "2026-01-02T03:04:05Z ", "-026-01-02T03:04:05Z", "2026-01-02T03:04:05.123+02:00x",
    ])
    func oddShapesReadAsBefore(text: String) {
        #expect(Timestamp.parse(text).map(Timestamp.milliseconds) == Self.foundationMilliseconds(text))
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
