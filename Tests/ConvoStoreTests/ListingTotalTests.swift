import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

/// The unfiltered listing total comes from a tally the schema's triggers keep; these tests
/// check it against a real count (a filter that narrows nothing takes the counting path)
/// through every write that adds, hides, shows or removes a conversation.
@Suite("Listing totals")
struct ListingTotalTests {
    typealias T = ReplicaTesting

    /// `(visible, withDeleted)` from the tally, and the same two numbers counted row by row.
    static func totals(_ replica: Replica) async throws -> (tally: [Int], counted: [Int]) {
        let countingFilter = ConversationFilters(excludeSource: "no source has this name")
        var countingWithDeleted = countingFilter
        countingWithDeleted.includeDeleted = true
        return (
            tally: [
                try await replica.conversations(ConversationQuery(limit: 1)).total,
                try await replica.conversations(ConversationQuery(filters: .init(includeDeleted: true), limit: 1)).total,
            ],
            counted: [
                try await replica.conversations(ConversationQuery(filters: countingFilter, limit: 1)).total,
                try await replica.conversations(ConversationQuery(filters: countingWithDeleted, limit: 1)).total,
            ])
    }

    @Test("the unfiltered total follows inserts, soft deletes, restores, purges and tombstone collection")
    func tallyFollowsEveryWrite() async throws {
        try await T.withReplica { replica in
            var expected: [[Int]] = []
            var seen: [(tally: [Int], counted: [Int])] = []
            func check(_ visible: Int, _ withDeleted: Int) async throws {
                expected.append([visible, withDeleted])
                seen.append(try await Self.totals(replica))
            }
            try await check(0, 0)
            let deletedOnArrival = T.conversation("c4", deletedAt: T.date("2026-01-03T00:00:00Z"))
            try await replica.upsertConversations(
                [T.conversation("c1"), T.conversation("c2"), T.conversation("c3"), deletedOnArrival],
                pass: 1, syncState: nil)
            try await check(3, 4)
            try await replica.upsertConversations([T.conversation("c1"), T.conversation("c2")], pass: 2, syncState: nil)
            try await check(3, 4)
            try await replica.softDeleteConversation(id: "c1", at: T.date("2026-01-04T00:00:00Z"), syncState: nil)
            try await check(2, 4)
            try await replica.restoreConversation(id: "c1", syncState: nil)
            try await check(3, 4)
            try await replica.markPurged(conversationID: "c2", at: T.date("2026-01-05T00:00:00Z"), syncState: nil)
            try await check(2, 3)
            try await replica.markPurged(conversationID: "c4", at: T.date("2026-01-05T00:00:00Z"), syncState: nil)
            try await check(2, 2)
            try await replica.upsertConversations([T.conversation("c2")], pass: 3, syncState: nil)
            try await check(3, 3)
            try await replica.softDeleteConversation(id: "c3", at: T.date("2026-01-06T00:00:00Z"), syncState: nil)
            try await replica.markPurged(conversationID: "c3", at: T.date("2026-01-06T00:00:00Z"), syncState: nil)
            try await check(2, 2)
            _ = try await replica.collectTombstones(olderThan: T.date("2030-01-01T00:00:00Z"))
            try await check(2, 2)
            #expect(seen.map(\.tally) == expected)
            #expect(seen.map(\.counted) == expected)
        }
    }

    @Test("a replica that ran only the first migration counts its conversations after the upgrade")
    func upgradeCountsExistingRows() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("old.convosync").path
            let replica = try Replica.open(at: path, account: T.account)
            try await replica.upsertConversations(
                [
                    T.conversation("c1"), T.conversation("c2"),
                    T.conversation("c3", deletedAt: T.date("2026-01-03T00:00:00Z")),
                ], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "quarterly renewal")], syncState: nil)
            // Back to the schema before the tally, as a replica written before it holds it. Later
            // migrations stay recorded: they touch nothing v2 adds, and a column with a foreign
            // key (v3's turn.outbox_id) cannot be dropped to undo them.
            try await T.execute(
                """
                DROP TRIGGER conversation_tally_insert;
                DROP TRIGGER conversation_tally_update;
                DROP TRIGGER conversation_tally_delete;
                DROP TABLE conversation_tally;
                DROP TRIGGER fragment_search_insert;
                CREATE TRIGGER fragment_search_insert AFTER INSERT ON fragment BEGIN
                    INSERT INTO search_index (rowid, body, conversation_id, turn_id)
                        SELECT fragment_id, content, conversation_id, turn_id FROM searchable_fragment
                        WHERE fragment_id = new.id;
                END;
                DELETE FROM grdb_migrations WHERE identifier = 'v2 fast import and listing';
                """, in: replica)
            try replica.close()

            let upgraded = try Replica.open(at: path, account: T.account)
            let totals = try await Self.totals(upgraded)
            #expect(totals.tally == [2, 3])
            #expect(totals.counted == [2, 3])
            #expect(try await upgraded.search("renewal").map(\.turnID) == ["t1"])
            try await upgraded.replaceTurns(conversationID: "c2", turns: [T.turn("t2", "renewal notice")], syncState: nil)
            #expect(Set(try await upgraded.search("renewal").compactMap(\.turnID)) == ["t1", "t2"])
            let schema = try await upgraded.reading { db in try ReplicaSchema.dump(db) }
            let fresh = try await T.withReplica { replica in try await replica.reading { db in try ReplicaSchema.dump(db) } }
            #expect(schema == fresh)
        }
    }
}
