import ConvoModel
import Testing

@Suite("RemoteID")
struct RemoteIDTests {
    @Test("an id is refused exactly when it holds a control character (general category Cc)")
    func refusesExactlyTheControlCharacters() {
        // Every scalar up to U+07FF covers the one- and two-byte UTF-8 forms, where the
        // control characters live; the rest are samples of longer forms.
        let samples = (0...0x7FF).compactMap(Unicode.Scalar.init)
            + [0x2028, 0x200B, 0xFEFF, 0xFFFD, 0x1F600, 0x10FFFF].compactMap(Unicode.Scalar.init)
        for scalar in samples {
            let id = "msg_" + String(Character(scalar)) + "_1"
            #expect(
                RemoteID.isStorable(id) == (scalar.properties.generalCategory != .control),
                "U+\(String(scalar.value, radix: 16, uppercase: true))")
        }
    }

    @Test("an empty id and one longer than the limit in UTF-8 bytes are refused")
    func refusesEmptyAndOverlongIDs() {
        #expect(!RemoteID.isStorable(""))
        #expect(RemoteID.isStorable(String(repeating: "a", count: RemoteID.maxBytes)))
        #expect(!RemoteID.isStorable(String(repeating: "a", count: RemoteID.maxBytes + 1)))
        // Two bytes each: the limit counts bytes, not characters.
        #expect(!RemoteID.isStorable(String(repeating: "é", count: RemoteID.maxBytes / 2 + 1)))
    }
}
