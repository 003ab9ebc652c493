import NIOCore

/// An incremental Server-Sent Events parser that follows the WHATWG "event stream
/// interpretation" rules exactly, fed with byte chunks as they arrive.
///
/// Chunk boundaries carry no meaning: a line end, a CRLF pair, a BOM or a multi-byte
/// UTF-8 character may be split anywhere and the events are the same. Lines are decoded
/// to `String` only once complete (invalid UTF-8 becomes U+FFFD); the only per-chunk
/// work is a scan for CR and LF and one copy of an unfinished line.
///
///     var parser = SSEParser()
///     for try await chunk in body {
///         for event in parser.parse(chunk) { handle(event) }
///     }
///     parser.finish()  // end of stream: an unterminated event is discarded
///
/// Rules it implements: LF, CR and CRLF line ends, mixed; comment lines (`:`); `data`
/// lines joined with LF; exactly one space stripped after the colon; a field without a
/// colon (the line is the name, the value empty); `event` (default `message`); `id`
/// (empty resets the last event id); `retry` (ASCII digits only, persistent); a leading BOM stripped once; a block with no data dispatches nothing
/// but its id still becomes the last event id; U+2028 and U+0085 are data, not line ends.
///
/// A CR at the end of a chunk ends its line at once (the line is complete whichever byte
/// follows); only an LF that starts the next chunk is then skipped. Events are therefore
/// never delayed waiting for the next byte, and the result equals holding the CR back.
///
/// Two rules are stricter than WHATWG, because an id is echoed back in `Last-Event-ID` and
/// stored as a resume point, and a `retry` is a reconnection pace: an `id` whose value holds
/// any control character (U+0000–U+001F or U+007F; WHATWG ignores only NUL) or is longer
/// than `maxEventIDBytes` is ignored as an id (the last event id stays what it was), and a
/// `retry` below `minimumRetry` is raised to it (`retry: 0` would reconnect in a busy loop).
public struct SSEParser: Sendable {
    /// The longest `id` value kept, in UTF-8 bytes (1 KiB); a longer one is ignored.
    public static let maxEventIDBytes = 1024

    /// The shortest reconnection time a `retry:` may ask for (100 ms); less is raised to it.
    public static let minimumRetry: Duration = .milliseconds(100)

    /// The last event id: set when an event block is dispatched, kept across events that
    /// don't set one and across `finish()`, so a reconnection can send it as `Last-Event-ID`.
    public var lastEventID: String { fields.lastEventID }

    /// The reconnection time the stream asked for with `retry:`, if it did; persistent.
    public var retry: Duration? { fields.retry }

    /// Bytes held for an unfinished line and an undispatched event: lets a caller bound
    /// what a hostile stream that never ends a line or an event can make it buffer.
    public var bufferedByteCount: Int { line.count + fields.bufferedByteCount }

    private var line: [UInt8] = []
    private var fields = FieldState()
    private var skipsLeadingLF = false
    private var bomMatched = 0
    private var bomChecked = false

    /// Makes a parser at the start of a stream, with no last event id and no retry.
    public init() {}

    /// Makes a parser that resumes a stream: `lastEventID` is what a reconnection reports.
    public init(lastEventID: String, retry: Duration? = nil) {
        fields.lastEventID = lastEventID
        fields.lastEventIDBuffer = lastEventID
        fields.retry = retry
    }

    /// Feeds the next chunk of the stream and returns the events it completed, in order.
    public mutating func parse(_ buffer: ByteBuffer) -> [SSEEvent] {
        var events: [SSEEvent] = []
        buffer.withUnsafeReadableBytes { raw in
            raw.withMemoryRebound(to: UInt8.self) { consume($0, into: &events) }
        }
        return events
    }

    /// Feeds the next chunk of the stream and returns the events it completed, in order.
    public mutating func parse(_ bytes: some Sequence<UInt8>) -> [SSEEvent] {
        var events: [SSEEvent] = []
        let done: Void? = bytes.withContiguousStorageIfAvailable { consume($0, into: &events) }
        if done == nil {
            Array(bytes).withUnsafeBufferPointer { consume($0, into: &events) }
        }
        return events
    }

    /// Ends the stream: an unfinished line and an undispatched event are discarded, as the
    /// WHATWG rules require. The last event id and retry survive, and the parser is ready
    /// for the next connection's stream (which may start with its own BOM).
    public mutating func finish() {
        line.removeAll(keepingCapacity: true)
        fields.discardPendingEvent()
        skipsLeadingLF = false
        bomMatched = 0
        bomChecked = false
    }

    private static let bom: (UInt8, UInt8, UInt8) = (0xEF, 0xBB, 0xBF)

    private mutating func consume(_ bytes: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        let count = bytes.count
        var index = 0
        if !bomChecked {
            while index < count && !bomChecked {
                let expected = bomMatched == 0 ? Self.bom.0 : (bomMatched == 1 ? Self.bom.1 : Self.bom.2)
                if bytes[index] == expected {
                    bomMatched += 1
                    index += 1
                    if bomMatched == 3 { bomChecked = true }
                } else {
                    // Not a BOM: the bytes held so far are ordinary line bytes (never CR or LF).
                    if bomMatched >= 1 { line.append(Self.bom.0) }
                    if bomMatched >= 2 { line.append(Self.bom.1) }
                    bomChecked = true
                }
            }
            if !bomChecked { return }
        }
        if skipsLeadingLF && index < count {
            skipsLeadingLF = false
            if bytes[index] == 0x0A { index += 1 }
        }
        while index < count {
            var end = index
            while end < count {
                let byte = bytes[end]
                if byte == 0x0A || byte == 0x0D { break }
                end += 1
            }
            if end == count {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<count]))
                return
            }
            if line.isEmpty {
                fields.process(line: UnsafeBufferPointer(rebasing: bytes[index..<end]), into: &events)
            } else {
                line.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<end]))
                line.withUnsafeBufferPointer { fields.process(line: $0, into: &events) }
                line.removeAll(keepingCapacity: true)
            }
            let terminator = bytes[end]
            index = end + 1
            if terminator == 0x0D {
                if index < count {
                    if bytes[index] == 0x0A { index += 1 }
                } else {
                    skipsLeadingLF = true
                }
            }
        }
    }
}

/// The field-level half of the parser: the buffers the WHATWG rules name.
private struct FieldState: Sendable {
    var lastEventID = ""
    var lastEventIDBuffer = ""
    var retry: Duration?
    private var data: [UInt8] = []
    private var eventType: String?

    var bufferedByteCount: Int { data.count + (eventType?.utf8.count ?? 0) }

    mutating func discardPendingEvent() {
        data.removeAll(keepingCapacity: true)
        eventType = nil
        lastEventIDBuffer = lastEventID
    }

    mutating func process(line: UnsafeBufferPointer<UInt8>, into events: inout [SSEEvent]) {
        guard let first = line.first else {
            dispatch(into: &events)
            return
        }
        if first == 0x3A { return }  // ":" comment
        var colon = 0
        while colon < line.count && line[colon] != 0x3A { colon += 1 }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        var valueStart = Swift.min(colon + 1, line.count)
        if valueStart < line.count && line[valueStart] == 0x20 { valueStart += 1 }
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<line.count])

        switch Field(name) {
        case .data:
            data.append(contentsOf: value)
            data.append(0x0A)
        case .event:
            eventType = String(decoding: value, as: UTF8.self)
        case .id:
            if Self.isAcceptableID(value) { lastEventIDBuffer = String(decoding: value, as: UTF8.self) }
        case .retry:
            if let milliseconds = Self.digits(value) {
                retry = Swift.max(.milliseconds(milliseconds), SSEParser.minimumRetry)
            }
        case nil:
            break  // Any other field name is ignored.
        }
    }

    /// The field names the rules know, matched byte for byte (case-sensitive).
    private enum Field {
        case data, event, id, retry

        init?(_ name: UnsafeBufferPointer<UInt8>) {
            switch name.count {
            case 4 where name[0] == 0x64 && name[1] == 0x61 && name[2] == 0x74 && name[3] == 0x61: self = .data
            case 2 where name[0] == 0x69 && name[1] == 0x64: self = .id
            case 5 where name[0] == 0x65 && name[1] == 0x76 && name[2] == 0x65 && name[3] == 0x6E && name[4] == 0x74:
                self = .event
            case 5 where name[0] == 0x72 && name[1] == 0x65 && name[2] == 0x74 && name[3] == 0x72 && name[4] == 0x79:
                self = .retry
            default: return nil
            }
        }
    }

    private mutating func dispatch(into events: inout [SSEEvent]) {
        lastEventID = lastEventIDBuffer
        guard !data.isEmpty else {
            eventType = nil
            return
        }
        data.removeLast()  // the LF the last data line appended
        let type = eventType.flatMap { $0.isEmpty ? nil : $0 } ?? "message"
        events.append(
            SSEEvent(type: type, data: String(decoding: data, as: UTF8.self), id: lastEventID, retry: retry))
        data.removeAll(keepingCapacity: true)
        eventType = nil
    }

    /// An id value short enough and free of control bytes (C0 and DEL) to keep as an id.
    private static func isAcceptableID(_ value: UnsafeBufferPointer<UInt8>) -> Bool {
        guard value.count <= SSEParser.maxEventIDBytes else { return false }
        return !value.contains { $0 < 0x20 || $0 == 0x7F }
    }

    /// A base-10 value made only of ASCII digits; `nil` for anything else, empty text, or
    /// a value too large to represent.
    private static func digits(_ value: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard !value.isEmpty else { return nil }
        var result: Int64 = 0
        for byte in value {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times, overflow1) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - 0x30))
            if overflow1 || overflow2 { return nil }
            result = sum
        }
        return result
    }
}
