import Hummingbird

/// agentflow's `GET /conversations/{id}/watch`: durable snapshots as Server-Sent Events.
///
/// Each event is `id: <snapshot id>`, `event: conversation_update`, data = the
/// conversation as GET renders it. A first connection gets the latest snapshot; a
/// reconnection (`Last-Event-ID` header or `last_event_id` query) gets every snapshot
/// after that id, or `event: reset` and the latest snapshot when the snapshots after it
/// are no longer retained. New snapshots are pushed live; an idle stream gets
/// `: keep-alive` comments; a deleted conversation ends the stream with `event: deleted`.
struct WatchRoute {
    let services: EmulatorServices

    @Sendable func watch(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let id = try context.parameters.require("id")
        let record = try await services.store.conversation(id, tenantID: caller.tenantID)
        guard record.deletedAt == nil else {
            throw EmulatorError(.conversationNotFound, "no conversation \(BodyReader.printable(id))")
        }
        // Both are checked when both are given; the header wins.
        let queried = try request.query("last_event_id").map(Self.snapshotID)
        let lastEventID = try request.header(named: "last-event-id").map(Self.snapshotID) ?? queried
        let store = services.store
        let broadcaster = store.broadcaster
        let keepAlive = services.configuration.keepAliveInterval
        let faults = services.faults.configuration
        return .eventStream(faults: faults) { events in
            // Subscribe before reading the backlog, so nothing recorded in between is lost.
            let subscription = broadcaster.subscribe(id)
            defer { broadcaster.unsubscribe(id, token: subscription.token) }
            var sentThrough: Int64 = 0
            var sentSinceTick = false
            var snapshotsSent = 0
            func send(_ snapshot: SnapshotRecord, as name: String = "conversation_update") async throws {
                try await events.send(ServerSentEvent(id: faults.eventID(snapshot.id, sent: snapshotsSent), event: name, data: snapshot.body))
                snapshotsSent += 1
                sentThrough = max(sentThrough, snapshot.id)
                sentSinceTick = true
            }
            let retained = try await store.snapshots(conversationID: id, after: nil)
            if let lastEventID {
                if let oldest = retained.first, lastEventID < oldest.id - 1 {
                    if let latest = retained.last {
                        let asked = JSON.object([("last_event_id", .string(String(lastEventID)))])
                        try await events.send(ServerSentEvent(event: "reset", data: asked.serializedString()))
                        try await send(latest)
                    }
                } else {
                    for snapshot in retained where snapshot.id > lastEventID { try await send(snapshot) }
                    sentThrough = max(sentThrough, lastEventID)
                }
            } else if let latest = retained.last {
                try await send(latest)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    while true {
                        try await Task.sleep(for: keepAlive)
                        subscription.continuation.yield(.keepAlive)
                    }
                }
                defer { group.cancelAll() }
                for await event in subscription.events {
                    switch event {
                    case .snapshot(let snapshot):
                        if snapshot.id > sentThrough { try await send(snapshot) }
                    case .deleted:
                        try await events.send(ServerSentEvent(event: "deleted", data: JSON.object([("id", .string(id))]).serializedString()))
                        return
                    case .keepAlive:
                        if !sentSinceTick { try await events.comment("keep-alive") }
                        sentSinceTick = false
                    }
                }
            }
        }
    }

    /// A resume id: decimal digits. One past every snapshot id there can be stands for
    /// "after everything", so a huge but well-formed id resumes with nothing missed.
    ///
    /// - Throws: `invalid_request` for an empty or non-decimal id.
    static func snapshotID(_ text: String) throws -> Int64 {
        guard !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw EmulatorError(.invalidRequest, "the last event id must be a decimal snapshot id")
        }
        return Int64(text) ?? .max
    }
}
