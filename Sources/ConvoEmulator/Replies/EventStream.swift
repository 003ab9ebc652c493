import HTTPTypes
import Hummingbird
import NIOCore

/// One Server-Sent Event.
struct ServerSentEvent: Sendable, Equatable {
    var id: String?
    var event: String?
    /// The payload; each line becomes its own `data:` line (joined by LF when parsed).
    var data: String

    /// The event's wire text. Every `data:` line is written as `data: ` + line, so a line
    /// starting with a space keeps it after the parser strips the first one.
    var wireText: String {
        var text = ""
        if let id { text += "id: \(id)\n" }
        if let event { text += "event: \(event)\n" }
        for line in data.split(separator: "\n", omittingEmptySubsequences: false) {
            text += "data: \(line)\n"
        }
        return text + "\n"
    }
}

/// Writes events to a response body, applying the stream faults in force: duplicated
/// events, a cut after N events and a leading `retry: 0`.
struct EventStreamWriter {
    private var writer: any ResponseBodyWriter
    private let cutAfter: Int?
    private let duplicate: Bool
    private let retryZero: Bool
    private var sent = 0

    init(_ writer: any ResponseBodyWriter, faults: FaultConfiguration) {
        self.writer = writer
        self.cutAfter = faults.cutStreamAfterEvents
        self.duplicate = faults.duplicateEvents
        self.retryZero = faults.sseRetryZero
    }

    /// Starts the stream: under ``FaultConfiguration/sseRetryZero`` a `retry: 0` block of its own.
    mutating func start() async throws {
        if retryZero { try await writer.write(ByteBuffer(string: "retry: 0\n\n")) }
    }

    /// Sends one event (twice when duplicating).
    ///
    /// - Throws: ``FaultMiddleware/ConnectionCut`` once the cut fault's count is reached,
    ///   and whatever the connection throws.
    mutating func send(_ event: ServerSentEvent) async throws {
        if let cutAfter, sent >= cutAfter { throw FaultMiddleware.ConnectionCut() }
        let bytes = ByteBuffer(string: event.wireText)
        try await writer.write(bytes)
        if duplicate { try await writer.write(bytes) }
        sent += 1
    }

    /// Sends a comment line (keep-alive).
    mutating func comment(_ text: String) async throws {
        try await writer.write(ByteBuffer(string: ": \(text)\n\n"))
    }

    /// Ends the stream cleanly.
    consuming func finish() async throws {
        try await writer.finish(nil)
    }
}

extension Response {
    /// A `text/event-stream` response whose body is written by `body`.
    static func eventStream(faults: FaultConfiguration, _ body: @escaping @Sendable (inout EventStreamWriter) async throws -> Void) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: ResponseBody { writer in
                var events = EventStreamWriter(writer, faults: faults)
                try await events.start()
                try await body(&events)
                try await events.finish()
            })
    }
}
