import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import Logging
import Synchronization

/// SSE snapshot → committed row: a watch follows one agentflow conversation into a fresh
/// replica while an exchange is appended through the admin route, `samples` times after a few
/// warm-up appends. Each sample runs from just before the admin request to the instant the
/// replica's observation first shows the new user turn, and to the instant it shows the reply
/// with its final text. The admin round trip (the emulator storing the exchange) is printed
/// too: it is part of both spans.
enum WatchLatency {
    /// What the observation has shown: when each turn first appeared, and each text it had.
    private struct Seen {
        var appeared: [String: ContinuousClock.Instant] = [:]
        var texts: [String: [(at: ContinuousClock.Instant, text: String)]] = [:]
    }

    /// `Seen` shared between the observing task and the sampling loop.
    private final class SeenBox: Sendable {
        let state = Mutex(Seen())
    }

    static func run(remote: Remote, replicaPath: String, samples: Int, logger: Logger) async throws {
        let account = try remote.account(.agentflow)
        guard let agentID = remote.agentIDs.first else { throw BenchmarkFailure("the emulator seeded no agents") }
        let adminTransport = try remote.adminTransport(logger: logger)
        let admin = Admin(transport: adminTransport, tenant: remote.defaults.tenant)
        let conversationID = try await admin.create(agentID: agentID, title: "Watched for latency")
        let replica = try Replica.open(at: replicaPath, account: try remote.binding(.agentflow))
        let connection = RemoteAPIFactory.make(account: account, logger: logger)
        let engine = SyncEngine(replica: replica, api: connection.api, transport: connection.transport, logger: logger)
        let seen = SeenBox()

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await detail in replica.observeConversation(id: conversationID) {
                    let now = ContinuousClock.now
                    guard let detail else { continue }
                    seen.state.withLock { seen in
                        for turn in detail.turns {
                            if seen.appeared[turn.id] == nil { seen.appeared[turn.id] = now }
                            if seen.texts[turn.id]?.last?.text != turn.text { seen.texts[turn.id, default: []].append((now, turn.text)) }
                        }
                    }
                }
            }
            await engine.watch(conversationID)

            var userLatencies: [Double] = []
            var replyLatencies: [Double] = []
            var roundTrips: [Double] = []
            let warmUp = 3
            for sample in 0..<(warmUp + samples) {
                let start = ContinuousClock.now
                let (user, assistant) = try await admin.append(
                    to: conversationID, content: "Latency sample \(sample): where does the pipeline stand?")
                let answered = ContinuousClock.now
                let text = try await finalText(of: assistant, api: connection.api, conversationID: conversationID)
                let deadline = ContinuousClock.now + .seconds(60)
                var instants: (user: ContinuousClock.Instant, reply: ContinuousClock.Instant)?
                while instants == nil {
                    instants = seen.state.withLock { seen in
                        guard let userAt = seen.appeared[user],
                            let replyAt = seen.texts[assistant]?.first(where: { $0.text == text })?.at
                        else { return nil }
                        return (userAt, replyAt)
                    }
                    if instants == nil {
                        guard ContinuousClock.now < deadline else {
                            throw BenchmarkFailure("the replica did not show sample \(sample) within a minute")
                        }
                        try await Task.sleep(for: .milliseconds(1))
                    }
                }
                guard let instants, sample >= warmUp else { continue }
                userLatencies.append((instants.user - start).seconds * 1000)
                replyLatencies.append((instants.reply - start).seconds * 1000)
                roundTrips.append((answered - start).seconds * 1000)
            }
            group.cancelAll()
            await engine.stopAllWatches()

            Measure.report("latency.samples", Double(userLatencies.count), "samples")
            Measure.report("latency.user_turn.p50", Measure.quantile(userLatencies, 0.5), "ms")
            Measure.report("latency.user_turn.p95", Measure.quantile(userLatencies, 0.95), "ms")
            Measure.report("latency.reply_done.p50", Measure.quantile(replyLatencies, 0.5), "ms")
            Measure.report("latency.reply_done.p95", Measure.quantile(replyLatencies, 0.95), "ms")
            Measure.report("latency.admin_roundtrip.p50", Measure.quantile(roundTrips, 0.5), "ms")
        }
        try await connection.shutdown()
        try await adminTransport.shutdown()
        try replica.close()
    }

    /// The reply's text as the remote renders it in a read (and so in a snapshot): the admin
    /// answer's text is the deltas joined, which the rendering may join differently. Read after
    /// the admin answer, outside both measured spans (the observation keeps its own clock).
    private static func finalText(of assistant: String, api: any RemoteAPI, conversationID: String) async throws -> String {
        let snapshot = try await api.conversation(id: conversationID)
        guard let turn = snapshot.turns?.first(where: { $0.id == assistant }) else {
            throw BenchmarkFailure("the remote's read does not hold the appended reply")
        }
        return turn.text
    }
}
