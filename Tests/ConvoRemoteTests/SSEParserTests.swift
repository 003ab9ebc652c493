import ConvoRemote
import Foundation
import NIOCore
import Testing
import TestSupport

/// One expected event in a `Fixtures/sse/*.events.json` file.
private struct ExpectedEvent: Decodable {
    var type: String
    var data: String
    var id: String
    var retry: Int64?

    var event: SSEEvent { SSEEvent(type: type, data: data, id: id, retry: retry.map { .milliseconds($0) }) }
}

/// Feeds `chunks` to a fresh parser and returns every event, then ends the stream.
private func parse(_ chunks: [[UInt8]]) -> [SSEEvent] {
    var parser = SSEParser()
    var events: [SSEEvent] = []
    for chunk in chunks { events += parser.parse(chunk) }
    parser.finish()
    return events
}

private func parse(_ text: String) -> [SSEEvent] { parse([Array(text.utf8)]) }

@Suite("SSE fixtures: the same events however the stream is chunked")
struct SSEFixtureTests {
    static let names: [String] = {
        let urls = (try? Fixtures.files(in: "sse", withExtension: "sse")) ?? []
        return urls.map { $0.deletingPathExtension().lastPathComponent }
    }()

    private func load(_ name: String) throws -> (bytes: [UInt8], expected: [SSEEvent]) {
        let bytes = [UInt8](try Fixtures.data("sse/\(name).sse"))
        let expected = try JSONDecoder().decode([ExpectedEvent].self, from: Fixtures.data("sse/\(name).events.json"))
        return (bytes, expected.map(\.event))
    }

    @Test("at least fifteen edge-case streams, each with its expected events")
    func fixturesExist() throws {
        #expect(Self.names.count >= 15)
        for name in Self.names {
            #expect(FileManager.default.fileExists(atPath: Fixtures.url("sse/\(name).events.json").path))
        }
    }

    @Test("a fixture fed whole gives its expected events", arguments: names)
    func whole(name: String) throws {
        let (bytes, expected) = try load(name)
        #expect(parse([bytes]) == expected)
    }

    @Test("a fixture fed one byte per chunk gives its expected events", arguments: names)
    func byteByByte(name: String) throws {
        let (bytes, expected) = try load(name)
        #expect(parse(bytes.map { [$0] }) == expected)
    }

    @Test("a fixture split at every offset gives its expected events", arguments: names)
    func everySplit(name: String) throws {
        let (bytes, expected) = try load(name)
        for offset in 0...bytes.count {
            let events = parse([Array(bytes[..<offset]), Array(bytes[offset...])])
            #expect(events == expected, "split at \(offset)")
        }
    }

    @Test("a fixture re-chunked at random (seeded) gives its expected events", arguments: names)
    func randomChunks(name: String) throws {
        let (bytes, expected) = try load(name)
        var random = SeededGenerator(seed: UInt64(truncatingIfNeeded: name.utf8.reduce(5381) { $0 &* 33 &+ Int($1) }))
        for round in 0..<50 {
            var chunks: [[UInt8]] = []
            var index = 0
            while index < bytes.count {
                let size = Int.random(in: 0...7, using: &random)
                let end = min(bytes.count, index + size)
                chunks.append(Array(bytes[index..<end]))
                index = end
            }
            #expect(parse(chunks) == expected, "round \(round)")
        }
    }

    @Test("a fixture fed as NIO byte buffers gives its expected events", arguments: names)
    func byteBuffers(name: String) throws {
        let (bytes, expected) = try load(name)
        var parser = SSEParser()
        var events: [SSEEvent] = []
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + 3)
            events += parser.parse(ByteBuffer(bytes: bytes[index..<end]))
            index = end
        }
        parser.finish()
        #expect(events == expected)
    }
}

@Suite("SSE parser rules")
struct SSEParserRuleTests {
    @Test("LF, CR and CRLF all end lines, mixed in one stream")
    func lineEnds() {
        #expect(parse("data: a\r\ndata: b\rdata: c\n\r\n") == [SSEEvent(data: "a\nb\nc")])
    }

    @Test("a CR ending one chunk and an LF starting the next are one line end")
    func crlfAcrossChunks() {
        let events = parse([Array("data: a\r".utf8), Array("\ndata: b\r".utf8), Array("\n\r".utf8), Array("\n".utf8)])
        #expect(events == [SSEEvent(data: "a\nb")])
    }

    @Test("a CR at a chunk's end dispatches at once, without waiting for the next byte")
    func crDispatchesImmediately() {
        var parser = SSEParser()
        #expect(parser.parse(Array("data: a\r\r".utf8)) == [SSEEvent(data: "a")])
        #expect(parser.parse(Array("\ndata: b\n\n".utf8)) == [SSEEvent(data: "b")])
    }

    @Test("comment lines are ignored and a comment-only block is no event")
    func comments() {
        #expect(parse(": keep-alive\n\n:\n\ndata: x\n: note\n\n") == [SSEEvent(data: "x")])
    }

    @Test("several data lines join with LF")
    func multilineData() {
        #expect(parse("data: a\ndata: b\ndata:\n\n") == [SSEEvent(data: "a\nb\n")])
    }

    @Test("exactly one space after the colon is stripped")
    func oneSpaceStripped() {
        #expect(parse("data:   x\n\n") == [SSEEvent(data: "  x")])
        #expect(parse("data:x\n\n") == [SSEEvent(data: "x")])
    }

    @Test("an id containing NUL is ignored")
    func idWithNul() {
        #expect(parse("id: 1\ndata: a\n\nid: 2\u{0}\ndata: b\n\n").map(\.id) == ["1", "1"])
    }

    @Test("an id holding any control character (C0 or DEL) is ignored and the last event id kept")
    func idWithControlCharacters() {
        for control in Array(0x00...0x1F).filter({ $0 != 0x0A && $0 != 0x0D }) + [0x7F] {
            var parser = SSEParser()
            let bytes = Array("id: 1\ndata: a\n\nid: 2".utf8) + [UInt8(control)] + Array("z\ndata: b\n\n".utf8)
            #expect(parser.parse(bytes).map(\.id) == ["1", "1"], "control \(control)")
            #expect(parser.lastEventID == "1")
        }
    }

    @Test("an id longer than 1 KiB of UTF-8 is ignored; one of exactly 1 KiB is kept")
    func idLength() {
        let longest = String(repeating: "a", count: SSEParser.maxEventIDBytes)
        var parser = SSEParser(lastEventID: "7")
        #expect(parser.parse(Array("id: \(longest)b\ndata: a\n\n".utf8)).map(\.id) == ["7"])
        #expect(parser.parse(Array("id: \(longest)\ndata: b\n\n".utf8)).map(\.id) == [longest])
        #expect(parser.lastEventID == longest)
    }

    @Test("a retry below the floor is raised to it, so retry: 0 cannot make a busy loop")
    func retryFloor() {
        var parser = SSEParser()
        _ = parser.parse(Array("retry: 0\n\n".utf8))
        #expect(parser.retry == SSEParser.minimumRetry)
        _ = parser.parse(Array("retry: 1\n\n".utf8))
        #expect(parser.retry == .milliseconds(100))
        _ = parser.parse(Array("retry: 101\n\n".utf8))
        #expect(parser.retry == .milliseconds(101))
    }

    @Test("an empty id resets the last event id")
    func emptyIdResets() {
        var parser = SSEParser()
        _ = parser.parse(Array("id: 5\ndata: a\n\n".utf8))
        #expect(parser.lastEventID == "5")
        #expect(parser.parse(Array("id:\ndata: b\n\n".utf8)) == [SSEEvent(data: "b", id: "")])
        #expect(parser.lastEventID == "")
    }

    @Test("retry accepts ASCII digits only and persists")
    func retryDigits() {
        var parser = SSEParser()
        _ = parser.parse(Array("retry: 250\n\n".utf8))
        #expect(parser.retry == .milliseconds(250))
        _ = parser.parse(Array("retry: 1e3\nretry: +5\nretry: ٣\nretry:\n\n".utf8))
        #expect(parser.retry == .milliseconds(250))
        #expect(parser.parse(Array("data: a\n\n".utf8)) == [SSEEvent(data: "a", retry: .milliseconds(250))])
        parser.finish()
        #expect(parser.retry == .milliseconds(250))
    }

    @Test("a leading BOM is stripped once, even split one byte per chunk")
    func leadingBOM() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("data: a\n\n".utf8) + [0xEF, 0xBB, 0xBF] + Array("data: b\n\n".utf8)
        #expect(parse(bytes.map { [$0] }) == [SSEEvent(data: "a")])
        #expect(parse([bytes]) == [SSEEvent(data: "a")])
    }

    @Test("bytes that only start like a BOM are kept as line bytes")
    func partialBOMIsData() {
        let bytes: [UInt8] = [0xEF, 0xBB] + Array(":x\ndata: a\n\n".utf8)
        // "\u{FFFD}:x" is a field named U+FFFD, not a comment, so it is ignored as unknown.
        #expect(parse(bytes.map { [$0] }) == [SSEEvent(data: "a")])
        let lineStart: [UInt8] = [0xEF] + Array("\ndata: b\n\n".utf8)
        #expect(parse([lineStart]) == [SSEEvent(data: "b")])
    }

    @Test("a field without a colon has the whole line as its name and an empty value")
    func fieldWithoutColon() {
        #expect(parse("data\n\n") == [SSEEvent(data: "")])
        #expect(parse("id: 4\ndata: a\n\nid\ndata: b\n\n").map(\.id) == ["4", ""])
    }

    @Test("a block with no data dispatches nothing but its id becomes the last event id")
    func emptyDataKeepsId() {
        var parser = SSEParser()
        #expect(parser.parse(Array("id: 9\nevent: x\n\n".utf8)).isEmpty)
        #expect(parser.lastEventID == "9")
        #expect(parser.parse(Array("data: y\n\n".utf8)) == [SSEEvent(type: "message", data: "y", id: "9")])
    }

    @Test("an unterminated event is discarded at the end of the stream")
    func unterminatedDiscarded() {
        var parser = SSEParser()
        #expect(parser.parse(Array("data: a\n\nid: 2\ndata: b\n".utf8)) == [SSEEvent(data: "a")])
        parser.finish()
        #expect(parser.lastEventID == "")
        #expect(parser.bufferedByteCount == 0)
        #expect(parser.parse(Array("data: c\n\n".utf8)) == [SSEEvent(data: "c")])
    }

    @Test("a multi-byte character split across chunks decodes whole")
    func splitUTF8() {
        let bytes = Array("data: é🎉\n\n".utf8)
        for offset in 6..<(bytes.count - 2) {
            #expect(parse([Array(bytes[..<offset]), Array(bytes[offset...])]) == [SSEEvent(data: "é🎉")])
        }
    }

    @Test("invalid UTF-8 becomes U+FFFD")
    func invalidUTF8() {
        let bytes: [UInt8] = Array("data: a".utf8) + [0xFF] + Array("b".utf8) + [0xE2, 0x82] + Array("\n\n".utf8)
        #expect(parse([bytes]) == [SSEEvent(data: "a\u{FFFD}b\u{FFFD}")])
    }

    @Test("U+2028 and U+0085 are data, not line ends")
    func unicodeSeparators() {
        #expect(parse("data: a\u{2028}b\u{85}c\n\n") == [SSEEvent(data: "a\u{2028}b\u{85}c")])
    }

    @Test("the event type defaults to message and does not carry to the next event")
    func eventTypeDefault() {
        #expect(parse("event: ping\ndata: a\n\ndata: b\n\n").map(\.type) == ["ping", "message"])
    }

    @Test("the last event id carries over events that don't set one")
    func lastIdPersists() {
        #expect(parse("id: 3\ndata: a\n\ndata: b\n\nevent: c\ndata: c\n\n").map(\.id) == ["3", "3", "3"])
    }

    @Test("a resumed parser starts from the given last event id")
    func resumedParser() {
        var parser = SSEParser(lastEventID: "41", retry: .seconds(2))
        #expect(parser.parse(Array("data: a\n\n".utf8)) == [SSEEvent(data: "a", id: "41", retry: .seconds(2))])
    }

    @Test("an unfinished line counts towards the buffered bytes")
    func bufferedBytes() {
        var parser = SSEParser()
        _ = parser.parse(Array("data: 12345".utf8))
        #expect(parser.bufferedByteCount == 11)
        _ = parser.parse(Array("\n".utf8))
        #expect(parser.bufferedByteCount == 6)
    }

    @Test("a 1 MB stream of small events parses completely and in order")
    func megabyteStream() {
        var stream: [UInt8] = []
        stream.reserveCapacity(1 << 20 + 64)
        var count = 0
        while stream.count < 1 << 20 {
            stream += Array("id: \(count)\nevent: delta\ndata: {\"text\":\"chunk \(count)\"}\n\n".utf8)
            count += 1
        }
        var parser = SSEParser()
        var events: [SSEEvent] = []
        var index = 0
        var size = 1
        while index < stream.count {
            let end = min(stream.count, index + size)
            events += parser.parse(ByteBuffer(bytes: stream[index..<end]))
            index = end
            size = size % 4093 + 7
        }
        #expect(events.count == count)
        #expect(events.enumerated().allSatisfy { $0.element.id == String($0.offset) })
        #expect(events.last?.data == "{\"text\":\"chunk \(count - 1)\"}")
        #expect(parser.lastEventID == String(count - 1))
    }
}
