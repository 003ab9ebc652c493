/// One dispatched Server-Sent Event, as the WHATWG "event stream interpretation" defines it.
///
/// `id` is the stream's *last event id* at dispatch time: an event without an `id` field
/// carries the id of an earlier one, so whoever persists `id` with the event can always resume.
///
///     for try await event in client.events() {
///         if event.type == "conversation_update" { try apply(event.data, resumingAt: event.id) }
///     }
public struct SSEEvent: Sendable, Hashable {
    /// The `event` field, or `message` when the event did not set one.
    public var type: String
    /// The `data` lines joined with LF (no trailing LF).
    public var data: String
    /// The last event id when the event was dispatched; empty when the stream never set one
    /// (or reset it with an empty `id:`).
    public var id: String
    /// The reconnection time the stream had set (`retry:`) when the event was dispatched, if any.
    public var retry: Duration?

    /// Makes an event; `type` defaults to `message` as in the WHATWG rules.
    public init(type: String = "message", data: String, id: String = "", retry: Duration? = nil) {
        self.type = type
        self.data = data
        self.id = id
        self.retry = retry
    }
}
