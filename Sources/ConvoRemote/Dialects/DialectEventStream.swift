import Foundation
import Synchronization

/// What a dialect makes of one SSE event: the port events it yields, and whether the
/// stream is over (a terminal event: the adapter stops reading before the server closes,
/// so a reply stream never reconnects and never re-sends its POST).
struct EventTranslation<Element: Sendable>: Sendable {
    var elements: [Element]
    var ends: Bool

    init(_ elements: [Element] = [], ends: Bool = false) {
        self.elements = elements
        self.ends = ends
    }
}

/// State a translator keeps across the events of one stream.
struct EventStreamState: Sendable {
    /// The index of the event being translated, from 0 (names the event in error fields).
    var index = 0
    /// Reply text gathered so far (v2 and knowrithm send no full text at the end).
    var text = ""
    /// The id of the last snapshot applied (watch streams: ids increase, never repeat).
    var lastSnapshotID: String?
    /// The data of the last snapshot, to tell a repeated delivery from a new snapshot whose
    /// id could not be used.
    var lastSnapshotData: String?
}

/// An `SSEClient` whose events a dialect translates into port events (`ReplyEvent`,
/// `WatchEvent`). Iterable once: a second iterator would send the request again.
struct DialectEventStream<Element: Sendable>: AsyncSequence, Sendable {
    typealias Translate = @Sendable (SSEEvent, inout EventStreamState) throws -> EventTranslation<Element>

    let client: SSEClient
    let initialState: EventStreamState
    let translate: Translate
    private let started = StartFlag()

    init(client: SSEClient, initialState: EventStreamState = .init(), translate: @escaping Translate) {
        self.client = client
        self.initialState = initialState
        self.translate = translate
    }

    func makeAsyncIterator() -> Iterator {
        let first = started.claim()
        return Iterator(
            events: first ? client.makeAsyncIterator() : nil, state: initialState, translate: translate,
            endpoint: client.request.endpoint)
    }

    struct Iterator: AsyncIteratorProtocol {
        var events: SSEClient.Iterator?
        var state: EventStreamState
        let translate: Translate
        let endpoint: String
        var pending: [Element] = []
        var ended = false

        init(events: SSEClient.Iterator?, state: EventStreamState, translate: @escaping Translate, endpoint: String) {
            self.events = events
            self.state = state
            self.translate = translate
            self.endpoint = endpoint
        }

        mutating func next() async throws -> Element? {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if ended { return nil }
                guard var current = events else {
                    ended = true
                    throw RemoteError(.invalidRequest, endpoint: endpoint, field: "stream already iterated")
                }
                let event: SSEEvent?
                do {
                    event = try await current.next()
                } catch {
                    ended = true
                    events = nil
                    throw error
                }
                events = current
                guard let event else {
                    ended = true
                    return nil
                }
                do {
                    let translation = try translate(event, &state)
                    state.index += 1
                    pending = translation.elements
                    if translation.ends {
                        ended = true
                        events = nil
                    }
                } catch {
                    ended = true
                    events = nil
                    throw error
                }
            }
        }
    }
}

/// Whether a one-shot sequence was iterated already.
final class StartFlag: Sendable {
    private let started = Mutex(false)

    /// `true` the first time only.
    func claim() -> Bool {
        started.withLock { started in
            defer { started = true }
            return !started
        }
    }
}
