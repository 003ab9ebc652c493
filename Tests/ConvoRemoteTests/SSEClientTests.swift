import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
import TestSupport

@testable import ConvoRemote

/// Counts requests to a route, for servers that answer differently each time.
final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int { value.withLock { $0 += 1; return $0 } }
    var count: Int { value.withLock { $0 } }
}

private func header(_ request: Request, _ name: String) -> String? {
    request.headers.first { $0.name.canonicalName == name }?.value
}

private func sseResponse(_ write: @escaping @Sendable (inout any ResponseBodyWriter) async throws -> Void) -> Response {
    Response(status: .ok, headers: [.contentType: "text/event-stream"], body: ResponseBody(write))
}

private let watchRequest = RemoteRequest(.get, "/watch")

@Suite("SSE client over a loopback server")
struct SSEClientTests {
    @Test("a stream cut mid-way resumes with Last-Event-ID and the query parameter, after the server's retry")
    func resumesAfterCut() async throws {
        let log = RequestLog()
        let clock = RecordingClock()
        try await withTestServer({ router in
            router.get("/api/watch") { request, _ in
                log.record(request)
                switch header(request, "last-event-id") {
                case nil:
                    return sseResponse { writer in
                        try await writer.write(ByteBuffer(string: "retry: 150\n\nid: 1\ndata: one\n\nid: 2\ndata: two\n\nid: 3\ndata: lost"))
                        throw CutConnection()
                    }
                case "2":
                    return sseResponse { writer in
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\nid: 3\nevent: update\ndata: three\n\n"))
                        try await writer.finish(nil)
                    }
                default:
                    return Response(status: .noContent)
                }
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(
                    transport: transport, request: watchRequest,
                    configuration: .init(jitter: 0, lastEventIDQueryName: "last_event_id"), clock: clock)
                var iterator = client.makeAsyncIterator()
                var events: [SSEEvent] = []
                while let event = try await iterator.next() { events.append(event) }
                #expect(events.map(\.data) == ["one", "two", "three"])
                #expect(events.map(\.id) == ["1", "2", "3"])
                #expect(events.last?.type == "update")
                #expect(iterator.lastEventID == "3")
                #expect(iterator.connectionCount == 3)
            }
        }
        #expect(log.requests.map { $0["last-event-id"] } == [nil, "2", "3"])
        #expect(log.requests.map { $0[":path"] } == ["/api/watch", "/api/watch?last_event_id=2", "/api/watch?last_event_id=3"])
        #expect(log.requests.allSatisfy { $0["accept"] == "text/event-stream" && $0["cache-control"] == "no-cache" })
        #expect(clock.sleeps == [.milliseconds(150), .milliseconds(150)])
    }

    @Test("a stored last event id is sent from the first connection")
    func resumesFromStoredID() async throws {
        let log = RequestLog()
        try await withTestServer({ router in
            router.get("/api/watch") { request, _ in
                log.record(request)
                return Response(status: .noContent)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, lastEventID: "41", clock: RecordingClock())
                var iterator = client.makeAsyncIterator()
                let first = try await iterator.next()
                #expect(first == nil)
                #expect(iterator.lastEventID == "41")
            }
        }
        #expect(log.requests.map { $0["last-event-id"] } == ["41"])
    }

    @Test("failures back off exponentially and give up after the budget with the last error")
    func givesUp() async throws {
        let log = RequestLog()
        let clock = RecordingClock()
        try await withTestServer({ router in
            router.get("/api/watch") { request, _ in
                log.record(request)
                return jsonResponse(.serviceUnavailable, #"{"error":{"code":"unavailable","message":"later"}}"#)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(
                    transport: transport, request: watchRequest,
                    configuration: .init(initialDelay: .seconds(1), maxDelay: .seconds(3), maxReconnectAttempts: 3, jitter: 0),
                    clock: clock)
                let error = await remoteError { for try await _ in client {} }
                #expect(error?.code == .serverError)
                #expect(error?.status == 503)
            }
        }
        #expect(log.requests.count == 4)
        #expect(clock.sleeps == [.seconds(1), .seconds(2), .seconds(3)])
    }

    @Test("jitter keeps each wait between half and all of the backoff")
    func jitterBounds() async throws {
        let clock = RecordingClock()
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in jsonResponse(.internalServerError, "{}") }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(
                    transport: transport, request: watchRequest,
                    configuration: .init(initialDelay: .seconds(1), maxReconnectAttempts: 4), clock: clock)
                _ = await remoteError { for try await _ in client {} }
            }
        }
        let expected: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(8)]
        #expect(clock.sleeps.count == 4)
        for (sleep, full) in zip(clock.sleeps, expected) {
            #expect(sleep >= full / 2 && sleep <= full)
        }
    }

    @Test("a 429 waits at least its Retry-After; a 204 ends the stream")
    func rateLimitedThenNoContent() async throws {
        let clock = RecordingClock()
        let counter = Counter()
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in
                if counter.next() == 1 {
                    return jsonResponse(.tooManyRequests, #"{"error":{"code":"rate_limited","message":""}}"#, headers: [.retryAfter: "9"])
                }
                return Response(status: .noContent)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, configuration: .init(jitter: 0), clock: clock)
                var count = 0
                for try await _ in client { count += 1 }
                #expect(count == 0)
            }
        }
        #expect(clock.sleeps == [.seconds(9)])
    }

    @Test("a Retry-After of 0 still waits the backoff; an absurd one waits the cap", arguments: [("0", Duration.seconds(1)), ("-5", .seconds(1)), ("86400000", .seconds(60))])
    func retryAfterFloorAndCap(retryAfter: String, expected: Duration) async throws {
        let clock = RecordingClock()
        let counter = Counter()
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in
                if counter.next() == 1 {
                    return jsonResponse(
                        .tooManyRequests, #"{"error":{"code":"rate_limited","message":""}}"#, headers: [.retryAfter: retryAfter])
                }
                return Response(status: .noContent)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, configuration: .init(jitter: 0), clock: clock)
                for try await _ in client {}
            }
        }
        #expect(clock.sleeps == [expected])
    }

    @Test("a stream asking for retry: 0 reconnects after the floor, never in a busy loop")
    func retryZeroIsRaised() async throws {
        let clock = RecordingClock()
        let counter = Counter()
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in
                if counter.next() <= 2 {
                    return sseResponse { writer in
                        try await writer.write(ByteBuffer(string: "retry: 0\nid: \u{1B}]0;x\ndata: one\n\n"))
                        throw CutConnection()
                    }
                }
                return Response(status: .noContent)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, configuration: .init(jitter: 1), clock: clock)
                var iterator = client.makeAsyncIterator()
                var events: [SSEEvent] = []
                while let event = try await iterator.next() { events.append(event) }
                #expect(events.map(\.id) == ["", ""])
                #expect(iterator.retry == .milliseconds(100))
            }
        }
        #expect(clock.sleeps.count == 2)
        #expect(clock.sleeps.allSatisfy { $0 >= SSEParser.minimumRetry })
    }

    @Test("a permanent error is thrown at once, without reconnecting")
    func permanentError() async throws {
        let log = RequestLog()
        let clock = RecordingClock()
        try await withTestServer({ router in
            router.get("/api/watch") { request, _ in
                log.record(request)
                return jsonResponse(.unauthorized, #"{"error":{"code":"unauthorized","message":"no"}}"#)
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, clock: clock)
                let error = await remoteError { for try await _ in client {} }
                #expect(error?.code == .unauthorized)
            }
        }
        #expect(log.requests.count == 1)
        #expect(clock.sleeps.isEmpty)
    }

    @Test("a response that is not an event stream is malformed")
    func notAnEventStream() async throws {
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in jsonResponse(.ok, #"{"messages":[]}"#) }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, clock: RecordingClock())
                let error = await remoteError { for try await _ in client {} }
                #expect(error?.code == .malformedResponse)
                #expect(error?.field == "Content-Type")
            }
        }
    }

    @Test("keep-alive comments hold an idle stream open past the read timeout")
    func keepAlive() async throws {
        // The stream stays open for about 9 s, past the 8 s read timeout, but is never silent
        // for more than 100 ms: generous margins, because a loaded machine (a full test run
        // beside other builds) has been seen to delay reads by several seconds.
        let counter = Counter()
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in
                guard counter.next() == 1 else { return Response(status: .noContent) }
                return sseResponse { writer in
                    let start = ContinuousClock.now
                    while ContinuousClock.now - start < .seconds(9) {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    try await writer.write(ByteBuffer(string: "data: done\n\n"))
                    try await writer.finish(nil)
                }
            }
        }) { port in
            var configuration = RemoteConfiguration()
            configuration.timeouts.read = .seconds(8)
            try await withTransport(port: port, configuration: configuration) { transport in
                let client = SSEClient(transport: transport, request: watchRequest, clock: RecordingClock())
                var events: [String] = []
                for try await event in client { events.append(event.data) }
                #expect(events == ["done"])
                #expect(counter.count == 2, "one stream, then the 204 that ends it: no reconnect in between")
            }
        }
    }

    @Test("a stream silent longer than the read timeout fails with timeout when it may not reconnect")
    func idleTimeout() async throws {
        // One event, then 10 s of silence against a 1 s read timeout. On a loaded machine
        // the timeout may fire before even the first event is read; either way the stream
        // must end with a timeout, and nothing but that event may arrive.
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in
                sseResponse { writer in
                    try await writer.write(ByteBuffer(string: "data: a\n\n"))
                    try await Task.sleep(for: .seconds(10))
                    try await writer.finish(nil)
                }
            }
        }) { port in
            var configuration = RemoteConfiguration()
            configuration.timeouts.read = .seconds(1)
            try await withTransport(port: port, configuration: configuration) { transport in
                let client = SSEClient(
                    transport: transport, request: watchRequest, configuration: .init(maxReconnectAttempts: 0),
                    clock: RecordingClock())
                var events: [String] = []
                do {
                    for try await event in client { events.append(event.data) }
                    Issue.record("expected a timeout")
                } catch let error as RemoteError {
                    #expect(error.code == .timeout)
                }
                #expect(events == ["a"] || events.isEmpty)
            }
        }
    }

    @Test("an event larger than maxEventBytes is refused as malformed")
    func oversizedEvent() async throws {
        try await withTestServer({ router in
            router.get("/api/watch") { _, _ in
                sseResponse { writer in
                    try await writer.write(ByteBuffer(string: "data: " + String(repeating: "x", count: 5000)))
                    try await writer.finish(nil)
                }
            }
        }) { port in
            try await withTransport(port: port) { transport in
                let client = SSEClient(
                    transport: transport, request: watchRequest, configuration: .init(maxEventBytes: 1000),
                    clock: RecordingClock())
                let error = await remoteError { for try await _ in client {} }
                #expect(error?.code == .malformedResponse)
            }
        }
    }
}
