import ConvoModel
@testable import ConvoStore
import Foundation
import GRDB
import Synchronization
import Testing
import TestSupport

/// The unfiltered listing total is counted from indexes (all rows less the tombstones); these
/// tests check it against a plain count (a filter that narrows nothing takes the counting path)
/// through every write that adds, hides, shows or removes a conversation.
@Suite("Listing totals")
struct ListingTotalTests {
    typealias T = ReplicaTesting

    /// `(visible, withDeleted)` from the unfiltered path, and the same two numbers counted row by row.
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
            // A replica as the first release wrote it: the first migration only, and its rows.
            let old = try DatabaseQueue(path: path)
            try ReplicaSchema.migrator.migrate(old, upTo: "v1 replica")
            try await old.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO conversation (id, remote_id, agent_id, title, created_at, updated_at, deleted_at) VALUES
                            (1, 'c1', 'agent_1', 'Conversation c1', 1767225600000, 1767323045000, NULL),
                            (2, 'c2', 'agent_1', 'Conversation c2', 1767225600000, 1767323045000, NULL),
                            (3, 'c3', 'agent_1', 'Conversation c3', 1767225600000, 1767323045000, 1767398400000);
                        INSERT INTO turn (id, remote_id, conversation_id, ordinal, role, state) VALUES (1, 't1', 1, 0, 'user', 'done');
                        INSERT INTO fragment (turn_id, position, kind, content, state) VALUES (1, 0, 'text', 'quarterly renewal', 'done');
                        """)
            }
            try old.close()

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

    @Test("a total a reading connection remembered is counted again after a commit from this replica, another replica on the file, or a read-only one's writer")
    func rememberedCountFollowsOtherConnections() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("shared.convosync").path
            let first = try Replica.open(at: path, account: T.account)
            let second = try Replica.open(at: path, account: T.account)
            var readOnly = ReplicaConfiguration()
            readOnly.readonly = true
            let reader = try Replica.openExisting(at: path, configuration: readOnly)
            func totals() async throws -> [Int] {
                [try await first.conversations(ConversationQuery(limit: 1)).total,
                 try await second.conversations(ConversationQuery(limit: 1)).total,
                 try await reader.conversations(ConversationQuery(limit: 1)).total]
            }
            try await first.upsertConversations([T.conversation("c1"), T.conversation("c2")], pass: 1, syncState: nil)
            #expect(try await totals() == [2, 2, 2])
            #expect(try await totals() == [2, 2, 2], "asked again with nothing committed")
            try await second.upsertConversations([T.conversation("c3")], pass: 1, syncState: nil)
            #expect(try await totals() == [3, 3, 3])
            try await first.upsertConversations([T.conversation("c4")], pass: 2, syncState: nil)
            #expect(try await totals() == [4, 4, 4])
            try await second.markPurged(conversationID: "c1", at: T.date("2026-01-05T00:00:00Z"), syncState: nil)
            _ = try await second.collectTombstones(olderThan: T.date("2030-01-01T00:00:00Z"))
            #expect(try await totals() == [3, 3, 3])
            try reader.close()
            try second.close()
            try first.close()
        }
    }

    @Test("pages asked with nothing committed between them count the conversation rows once")
    func repeatedPagesCountOnce() async throws {
        try await withTemporaryDirectory { folder in
            var configuration = ReplicaConfiguration()
            configuration.maximumReaderCount = 1
            let replica = try Replica.open(
                at: folder.appendingPathComponent("once.convosync").path, account: T.account, configuration: configuration)
            try await replica.upsertConversations([T.conversation("c1"), T.conversation("c2")], pass: 1, syncState: nil)
            let counts = StatementLog()
            try await replica.reading { db in db.trace(options: .statement) { counts.note("\($0)") } }
            for _ in 0..<3 { _ = try await replica.conversations(ConversationQuery(limit: 1)) }
            #expect(counts.rowCounts == 1)
            try await replica.upsertConversations([T.conversation("c3")], pass: 2, syncState: nil)
            #expect(try await replica.conversations(ConversationQuery(limit: 1)).total == 3)
            #expect(counts.rowCounts == 2, "a commit makes the next page count again")
            try await replica.reading { db in db.trace(options: .statement, nil) }
            try replica.close()
        }
    }

    /// The statements a reading connection ran, as traced.
    final class StatementLog: Sendable {
        private let statements = Mutex<[String]>([])
        func note(_ statement: String) { statements.withLock { $0.append(statement) } }
        /// How many times every conversation row was counted.
        var rowCounts: Int { statements.withLock { $0.filter { $0 == "SELECT count(*) FROM conversation" }.count } }
    }
}
