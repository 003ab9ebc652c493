import EmulatorSupport
import ConvoEmulator
import ConvoModel
import ConvoRemote
import Foundation
import Testing

/// The endpoints the other end-to-end suites do not reach: run cancellation, search,
/// agent listings and knowrithm's per-entity listing.
@Suite("Adapters against the emulator: cancel, search, agents, entity listing")
struct RemainingEndpointTests {
    @Test("cancelling an agentflow run ends the stream stopped, and the emulator stores the turn stopped")
    func cancelRun() async throws {
        // Slow deltas, so the cancel lands while the reply is still streaming.
        try await EmulatorHarness.withSeededEmulator(conversations: 1, configure: { $0.deltaInterval = .milliseconds(40) }) { emulator in
            try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                let created = try await api.createConversation(
                    ConversationDraft(agentID: emulator.addresses.agentIDs[0]), idempotencyKey: .random())
                var sawStopped = false
                var cancelled = false
                for try await event in try await api.streamReply(
                    to: "Give me every detail of the quarterly review", in: created.id, idempotencyKey: .random())
                {
                    switch event {
                    case .started(let runID) where !cancelled:
                        try await api.cancelRun(runID, in: created.id, idempotencyKey: .random())
                        cancelled = true
                    case .stopped: sawStopped = true
                    case .finished: Issue.record("a cancelled run must not finish")
                    default: break
                    }
                }
                #expect(cancelled && sawStopped)
                let record = try await EmulatorHarness.truth(emulator).first { $0["id"] as? String == created.id }
                let turns = try #require(record?["turns"] as? [[String: Any]])
                #expect(turns.last?["state"] as? String == "stopped")
            }
        }
    }

    @Test("agentflow search returns the conversations whose title or messages hold the words")
    func agentflowSearch() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 40) { emulator in
            try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                let truth = try await EmulatorHarness.truth(emulator).filter { $0["deleted_at"] is NSNull }
                let title = try #require(truth.compactMap { $0["title"] as? String }.first)
                let word = try #require(title.split(separator: " ").map(String.init).max { $0.count < $1.count })
                let page = try await api.conversations(from: .start, pageSize: 100, filter: ConversationFilter(query: word))
                let expected = truth.filter { record in
                    let inTitle = (record["title"] as? String)?.localizedCaseInsensitiveContains(word) == true
                    let inMessages = (record["turns"] as? [[String: Any]] ?? []).contains { turn in
                        turn["deleted_at"] is NSNull && (turn["fragments"] as? [[String: Any]] ?? []).contains {
                            ($0["content"] as? String)?.localizedCaseInsensitiveContains(word) == true
                        }
                    }
                    return inTitle || inMessages
                }
                #expect(!page.items.isEmpty)
                #expect(Set(page.items.map(\.conversation.id)) == Set(expected.compactMap { $0["id"] as? String }))
            }
        }
    }

    @Test("agent listings name the seeded agents", arguments: [Dialect.agentflow, .v2])
    func agentListings(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                let agents = try await api.agents(named: nil)
                #expect(Set(agents.map(\.id)) == Set(emulator.addresses.agentIDs))
                let first = try #require(agents.first)
                let named = try await api.agents(named: first.name)
                #expect(named.contains(first))
            }
        }
    }

    @Test("knowrithm's per-entity listing pages through the caller's active conversations")
    func knowrithmEntityListing() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 45) { emulator in
            let connection = RemoteAPIFactory.make(
                account: try EmulatorHarness.account(.knowrithm, on: emulator), logger: EmulatorHarness.logger)
            let adapter = try #require(connection.api as? KnowrithmAdapter)
            var seen: [String] = []
            var position = PagingPosition.start
            while true {
                let page = try await adapter.entityConversations(from: position, pageSize: 10)
                seen += page.items.map(\.id)
                guard let next = page.next else { break }
                position = next
            }
            let active = try await EmulatorHarness.truth(emulator).filter { $0["deleted_at"] is NSNull }
            #expect(seen.count == Set(seen).count)
            #expect(Set(seen) == Set(active.compactMap { $0["id"] as? String }))
            try await connection.shutdown()
        }
    }
}
