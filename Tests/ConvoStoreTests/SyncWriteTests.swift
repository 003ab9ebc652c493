import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Sync writes")
struct SyncWriteTests {
    typealias T = ReplicaTesting

    @Test("upserting the same page twice changes no row; a changed field updates it")
    func upsertIsIdempotent() async throws {
        try await T.withReplica { replica in
            let page = [T.conversation("c1"), T.conversation("c2")]
            try await replica.upsertConversations(page, pass: nil, syncState: nil)
            let changesBefore = try await replica.writing { db in db.totalChangesCount }
            try await replica.upsertConversations(page, pass: nil, syncState: nil)
            let changesAfter = try await replica.writing { db in db.totalChangesCount }
            #expect(changesAfter == changesBefore)

            var renamed = page[0]
            renamed.title = "Renewal of the Acme contract"
            try await replica.upsertConversations([renamed], pass: nil, syncState: nil)
            let detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.summary.title == "Renewal of the Acme contract")
            #expect(try await replica.conversations(ConversationQuery()).total == 2)
        }
    }

    @Test("a pass stamps every conversation it saw, in the same transaction as its sync state")
    func passStampsAndSyncStateCommitTogether() async throws {
        try await T.withReplica { replica in
            let update = SyncStateUpdate(scope: "conversations", cursor: .set("page-2"), passGeneration: .set(7))
            try await replica.upsertConversations([T.conversation("c1")], pass: 7, syncState: update)
            let passes = try await replica.reading { db in
                try Int64.fetchAll(db, sql: "SELECT last_seen_pass FROM conversation")
            }
            #expect(passes == [7])
            let state = try #require(try await replica.syncState(scope: "conversations"))
            #expect(state.cursor == "page-2")
            #expect(state.passGeneration == 7)

            // .keep leaves a field alone, .set(nil) clears it.
            try await replica.setSyncState(SyncStateUpdate(scope: "conversations", cursor: .set(nil), offset: .set(40)))
            let next = try #require(try await replica.syncState(scope: "conversations"))
            #expect(next.cursor == nil)
            #expect(next.offset == 40)
            #expect(next.passGeneration == 7)
            #expect(try await replica.syncState(scope: "never written") == nil)
        }
    }

    @Test("a write that fails mid-way leaves neither its rows nor its sync state")
    func failedWriteLeavesNothing() async throws {
        try await T.withReplica { replica in
            // The second conversation has an empty id: the first must not stay behind.
            let error = try await #require(throws: StoreError.self) {
                try await replica.upsertConversations(
                    [T.conversation("c1"), T.conversation("")], pass: 1,
                    syncState: SyncStateUpdate(scope: "conversations", cursor: .set("next")))
            }
            #expect(error.code == .invalidArgument)
            #expect(try await replica.conversations(ConversationQuery()).total == 0)
            #expect(try await replica.syncState(scope: "conversations") == nil)

            // The rows are valid but the sync state is not (an empty scope fails the schema's CHECK).
            await #expect(throws: StoreError.self) {
                try await replica.upsertConversations(
                    [T.conversation("c2")], pass: nil, syncState: SyncStateUpdate(scope: ""))
            }
            #expect(try await replica.conversations(ConversationQuery()).total == 0)
        }
    }

    @Test("replaceTurns makes the turns exactly the list; appendTurns dedupes by remote id")
    func replaceAndAppendTurns() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("t1", "Hello"), T.turn("t2", "Hi there", role: .assistant)],
                syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("t2", "Hi there", role: .assistant), T.turn("t3", "Bye")],
                syncState: SyncStateUpdate(scope: "messages:c1", cursor: .set("t3")))
            var detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["t2", "t3"])
            #expect(try await replica.syncState(scope: "messages:c1")?.cursor == "t3")

            try await replica.appendTurns(conversationID: "c1", turns: [T.turn("t4", "One more")], syncState: nil)
            let changesBefore = try await replica.writing { db in db.totalChangesCount }
            try await replica.appendTurns(conversationID: "c1", turns: [T.turn("t3", "Bye"), T.turn("t4", "One more")], syncState: nil)
            #expect(try await replica.writing { db in db.totalChangesCount } == changesBefore)

            try await replica.appendTurns(conversationID: "c1", turns: [T.turn("t3", "Bye", "and thanks")], syncState: nil)
            detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["t2", "t3", "t4"])
            #expect(detail.turns[1].text == "Byeand thanks")

            let error = try await #require(throws: StoreError.self) {
                try await replica.appendTurns(conversationID: "nope", turns: [T.turn("t9", "x")], syncState: nil)
            }
            #expect(error.code == .notFound)
        }
    }

    @Test("soft delete hides a conversation from listing and search; restore brings it back; both idempotent")
    func softDeleteAndRestoreConversation() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1", title: "Quarterly planning")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "the budget spreadsheet")], syncState: nil)
            let first = T.date("2026-02-01T00:00:00Z")
            try await replica.softDeleteConversation(id: "c1", at: first, syncState: nil)
            try await replica.softDeleteConversation(id: "c1", at: T.date("2026-03-01T00:00:00Z"), syncState: nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 0)
            #expect(try await replica.conversation(id: "c1") == nil)
            #expect(try await replica.search("budget").isEmpty)
            #expect(try await replica.search("quarterly").isEmpty)
            let deleted = try await replica.conversations(ConversationQuery(filters: .init(includeDeleted: true)))
            #expect(deleted.items.map(\.deletedAt) == [first])

            try await replica.restoreConversation(id: "c1", syncState: nil)
            try await replica.restoreConversation(id: "c1", syncState: nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 1)
            #expect(try await replica.search("budget").map(\.turnID) == ["t1"])
            #expect(try await replica.search("quarterly").map(\.conversationID) == ["c1"])
        }
    }

    @Test("a soft-deleted turn leaves the conversation and search until restored")
    func softDeleteAndRestoreTurn() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("t1", "invoice overdue"), T.turn("t2", "paid now")], syncState: nil)
            try await replica.softDeleteTurn(id: "t1", at: T.date("2026-02-01T00:00:00Z"), syncState: nil)
            try await replica.softDeleteTurn(id: "t1", at: T.date("2026-02-02T00:00:00Z"), syncState: nil)
            #expect(try await replica.conversation(id: "c1")?.turns.map(\.id) == ["t2"])
            #expect(try await replica.conversation(id: "c1", includeDeleted: true)?.turns.map(\.id) == ["t1", "t2"])
            #expect(try await replica.search("invoice").isEmpty)
            #expect(try await replica.conversations(ConversationQuery()).items.first?.turnCount == 1)
            try await replica.restoreTurn(id: "t1", syncState: nil)
            try await replica.restoreTurn(id: "t1", syncState: nil)
            #expect(try await replica.search("invoice").map(\.turnID) == ["t1"])
        }
    }

    @Test("a page's deleted_at wins: a conversation back from a soft delete is restored")
    func pageRestoresSoftDeleted() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations(
                [T.conversation("c1", deletedAt: T.date("2026-02-01T00:00:00Z"))], pass: nil, syncState: nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 0)
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 1)
        }
    }

    @Test("purge drops turns, fragments, title and search entries; a reappearing conversation is un-purged")
    func purgeDropsContent() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1", title: "Secret plans")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "launch date")], syncState: nil)
            try await replica.markPurged(
                conversationID: "c1", at: T.date("2026-02-01T00:00:00Z"),
                syncState: SyncStateUpdate(scope: "conversations", passGeneration: .set(3)))
            try await replica.markPurged(conversationID: "c1", at: T.date("2026-02-02T00:00:00Z"), syncState: nil)
            let counts = try await replica.reading { db in
                try [
                    Int.fetchOne(db, sql: "SELECT count(*) FROM turn") ?? -1,
                    Int.fetchOne(db, sql: "SELECT count(*) FROM fragment") ?? -1,
                    // Entries of both search indexes (the fragments' keeps no text, only its documents' sizes).
                    Int.fetchOne(
                        db, sql: "SELECT (SELECT count(*) FROM fragment_search_docsize) + (SELECT count(*) FROM title_search)")
                        ?? -1,
                    Int.fetchOne(db, sql: "SELECT count(*) FROM conversation WHERE title IS NOT NULL") ?? -1,
                ]
            }
            #expect(counts == [0, 0, 0, 0])
            #expect(try await replica.conversation(id: "c1", includeDeleted: true) == nil)
            #expect(try await replica.conversations(ConversationQuery(filters: .init(includeDeleted: true))).total == 0)
            #expect(try await replica.syncState(scope: "conversations")?.passGeneration == 3)
            let restore = try await #require(throws: StoreError.self) {
                try await replica.restoreConversation(id: "c1", syncState: nil)
            }
            #expect(restore.code == .notFound)

            try await replica.upsertConversations([T.conversation("c1", title: "Secret plans")], pass: nil, syncState: nil)
            #expect(try await replica.conversation(id: "c1")?.turns == [])
            #expect(try await replica.search("secret").count == 1)
        }
    }

    @Test("a page that names its rows again sees what its earlier items wrote: appends follow, replaces remove, moves keep the newer text")
    func laterItemsSeeEarlierOnes() async throws {
        try await T.withReplica { replica in
            try await replica.applyListingPage(
                [
                    ListedConversation(
                        conversation: T.conversation("c1"), turns: .replace([T.turn("t1", "apple"), T.turn("t2", "banana")]),
                        changeToken: nil),
                    // t2 moves while its row may still wait to be written with c1's.
                    ListedConversation(
                        conversation: T.conversation("c3"), turns: .replace([T.turn("t2", "banana split")]), changeToken: nil),
                    ListedConversation(conversation: T.conversation("c1"), turns: .append([T.turn("t3", "cherry")]), changeToken: nil),
                    ListedConversation(conversation: T.conversation("c2"), turns: .replace([T.turn("t4", "damson")]), changeToken: nil),
                    ListedConversation(conversation: T.conversation("c2"), turns: .replace([T.turn("t5", "elder")]), changeToken: nil),
                ], pass: 1, syncState: nil)
            #expect(try await replica.conversation(id: "c1")?.turns.map(\.id) == ["t1", "t3"])
            #expect(try await replica.conversation(id: "c2")?.turns.map(\.id) == ["t5"])
            #expect(try await replica.conversation(id: "c3")?.turns.flatMap { $0.fragments.map(\.content) } == ["banana split"])
            #expect(try await replica.search("damson").isEmpty)
            #expect(try await replica.search("banana").map(\.turnID) == ["t2"])
            #expect(try await SearchIndexTests.differences(replica) == [])
        }
    }

    @Test("pages committed together are applied one after another, as if each committed alone, and the last position is kept")
    func pagesCommittedTogetherApplyInOrder() async throws {
        try await T.withReplica { replica in
            let c1 = T.conversation("c1", title: "Kiwi orchard")
            let listed = ListedConversation(conversation: c1, turns: .replace([T.turn("t1", "kiwi harvest")]), changeToken: "v1")
            try await replica.applyListingPages([
                // Page 1 lists c1; page 2's read found it gone; page 3 lists it again (it came back).
                ListingPageWrite(
                    items: [listed], pass: 4,
                    syncState: SyncStateUpdate(scope: "conversations", offset: .set(100), passGeneration: .set(4))),
                ListingPageWrite(
                    items: [], purged: ["c1"], pass: 4, syncState: SyncStateUpdate(scope: "conversations", offset: .set(200))),
                ListingPageWrite(
                    items: [ListedConversation(conversation: c1, turns: .unchanged, changeToken: nil)], pass: 4,
                    syncState: SyncStateUpdate(scope: "conversations", offset: .set(300))),
            ])
            // In page order the purge comes before the relisting, so c1 is back, without its
            // purged turns; applied as one merged page the purge would have come last.
            let detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.summary.title == "Kiwi orchard")
            #expect(detail.turns == [])
            #expect(try await replica.syncState(scope: "conversations")?.offset == 300)
            #expect(try await replica.syncState(scope: "conversations")?.passGeneration == 4)
        }
    }

    @Test("purge removes a conversation's cached file bytes; a cached path outside the replica folder is refused")
    func purgeRemovesCachedFiles() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let cache = replica.folder.appendingPathComponent("files", isDirectory: true)
            try FileManager.default.createDirectory(at: cache, withIntermediateDirectories: true)
            let cached = cache.appendingPathComponent("f1.csv")
            try Data("a,b\n1,2\n".utf8).write(to: cached)
            try await T.execute(
                """
                INSERT INTO file (conversation_id, file_ref, name, content_type, size, direction, cached_path)
                VALUES ((SELECT id FROM conversation WHERE remote_id = 'c1'), 'f1', '../../etc/passwd', 'text/csv', 8,
                        'output', 'files/f1.csv')
                """, in: replica)
            for hostile in ["../outside.csv", "/etc/passwd", "files/../../outside.csv"] {
                await #expect(throws: StoreError.self) {
                    try await T.execute(
                        """
                        INSERT INTO file (conversation_id, file_ref, name, direction, cached_path)
                        VALUES ((SELECT id FROM conversation WHERE remote_id = 'c1'), 'f-hostile', 'x', 'input', '\(hostile)')
                        """, in: replica)
                }
            }
            try await replica.markPurged(conversationID: "c1", at: Date(), syncState: nil)
            #expect(!FileManager.default.fileExists(atPath: cached.path))
            #expect(try await replica.reading { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM file") } == 0)
        }
    }

    @Test("collecting tombstones removes rows deleted before the cutoff and keeps newer ones")
    func tombstonesAreCollected() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations(
                [T.conversation("old"), T.conversation("recent"), T.conversation("purged"), T.conversation("live")],
                pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "live", turns: [T.turn("t-old", "a"), T.turn("t-new", "b"), T.turn("t-live", "c")],
                syncState: nil)
            try await replica.softDeleteConversation(id: "old", at: T.date("2026-01-01T00:00:00Z"), syncState: nil)
            try await replica.softDeleteConversation(id: "recent", at: T.date("2026-03-01T00:00:00Z"), syncState: nil)
            try await replica.markPurged(conversationID: "purged", at: T.date("2026-01-15T00:00:00Z"), syncState: nil)
            try await replica.softDeleteTurn(id: "t-old", at: T.date("2026-01-01T00:00:00Z"), syncState: nil)
            try await replica.softDeleteTurn(id: "t-new", at: T.date("2026-03-01T00:00:00Z"), syncState: nil)

            let removed = try await replica.collectTombstones(olderThan: T.date("2026-02-01T00:00:00Z"))
            #expect(removed == 3)
            let remaining = try await replica.reading { db in
                try String.fetchAll(db, sql: "SELECT remote_id FROM conversation ORDER BY remote_id")
            }
            #expect(remaining == ["live", "recent"])
            #expect(try await replica.conversation(id: "live", includeDeleted: true)?.turns.map(\.id) == ["t-new", "t-live"])
            #expect(try await replica.collectTombstones(olderThan: T.date("2026-02-01T00:00:00Z")) == 0)
        }
    }
}
