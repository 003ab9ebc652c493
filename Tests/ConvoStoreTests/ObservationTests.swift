import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Observation")
struct ObservationTests {
    typealias T = ReplicaTesting

    @Test("an observed listing emits its current value, then again after a committed change")
    func listingEmitsAfterCommit() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            var iterator = replica.observeConversations(ConversationQuery()).makeAsyncIterator()
            let initial = try #require(try await iterator.next())
            #expect(initial.items.map(\.remoteID) == ["c1"])

            try await replica.upsertConversations(
                [T.conversation("c2", updated: "2026-02-01T00:00:00Z")], pass: nil, syncState: nil)
            let changed = try #require(try await iterator.next())
            #expect(changed.items.map(\.remoteID) == ["c2", "c1"])
            #expect(changed.total == 2)
        }
    }

    @Test("an observed conversation emits when its turns change, not for unrelated sync state")
    func conversationEmitsOnItsChanges() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            var iterator = replica.observeConversation(id: "c1").makeAsyncIterator()
            #expect(try await iterator.next()??.turns == [])
            // Equal values are not repeated: a sync-state write alone is followed by the next real change.
            try await replica.setSyncState(SyncStateUpdate(scope: "conversations", cursor: .set("x")))
            try await replica.appendTurns(conversationID: "c1", turns: [T.turn("t1", "Hello")], syncState: nil)
            #expect(try await iterator.next()??.turns.map(\.id) == ["t1"])
        }
    }
}
