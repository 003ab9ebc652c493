import ConvoModel
import Testing

@Suite("JSONValue canonical text")
struct JSONValueCanonicalTextTests {
    @Test("canonical text sorts object keys at every depth and escapes strings as JSON")
    func canonicalTextIsSortedJSON() {
        let value = JSONValue.object([
            "zeta": .array([.bool(true), .null, .double(1.5)]),
            "alpha": .int(3),
            "mid": .object(["y": .string("line\n\"quoted\"\u{1}"), "b": .string("é")]),
        ])
        #expect(value.canonicalText == #"{"alpha":3,"mid":{"b":"é","y":"line\n\"quoted\"\u0001"},"zeta":[true,null,1.5]}"#)
    }

    @Test("equal objects built in different orders have one canonical text")
    func canonicalTextIgnoresInsertionOrder() {
        let keys = (0..<64).map { "key\($0)" }
        var forward: [String: JSONValue] = [:]
        for key in keys { forward[key] = .string(key) }
        var backward: [String: JSONValue] = [:]
        backward.reserveCapacity(1024)
        for key in keys.reversed() { backward[key] = .string(key) }
        #expect(JSONValue.object(forward).canonicalText == JSONValue.object(backward).canonicalText)
        #expect(JSONValue.object(forward).canonicalText.hasPrefix(#"{"key0":"key0","key1":"key1","key10":"#))
    }
}
