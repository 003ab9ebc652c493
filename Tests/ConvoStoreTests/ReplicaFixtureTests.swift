import ConvoModel
@testable import ConvoStore
import Foundation
import GRDB
import Testing
import TestSupport

/// A replica written by an older ConvoSync opens with every row, tombstone, outbox op and
/// cursor kept, and search finds exactly what it found before the upgrade.
///
/// `Fixtures/replica-v4.convosync` was written with the v4 schema (the last before the batch
/// write redesign) by ``ReplicaFixture/write(to:)`` below, and `Fixtures/replica-v4.expected.txt`
/// is ``ReplicaFixture/snapshot(_:)`` of it as that code read it. Regenerating either with a
/// newer schema would defeat the test: they are kept as written.
@Suite("Replica fixtures from older schemas")
struct ReplicaFixtureTests {
    typealias T = ReplicaTesting

    @Test("a v4 replica upgrades keeping every row, tombstone, outbox op and cursor, and search finds what it found")
    func v4ReplicaUpgrades() async throws {
        try await withTemporaryDirectory { folder in
            let copy = folder.appendingPathComponent("replica-v4.convosync")
            try FileManager.default.copyItem(at: Fixtures.url("replica-v4.convosync"), to: copy)
            let replica = try Replica.open(at: copy.path, account: ReplicaFixture.account)
            let snapshot = try await ReplicaFixture.snapshot(replica)
            let expected = try String(contentsOf: Fixtures.url("replica-v4.expected.txt"), encoding: .utf8)
            let got = snapshot.split(separator: "\n", omittingEmptySubsequences: false)
            let want = expected.split(separator: "\n", omittingEmptySubsequences: false)
            for (index, pair) in zip(want, got).enumerated() where pair.0 != pair.1 {
                Issue.record("line \(index + 1) differs:\n  before: \(pair.0)\n  after:  \(pair.1)")
                break
            }
            #expect(got.count == want.count)

            // What must never be found, spelled out (the snapshot holds it too).
            for hidden in ["walrus", "platypus", "narwhal", "kumquat"] {
                #expect(try await replica.search(hidden).isEmpty, "\(hidden) is soft-deleted, purged or not text")
            }
            #expect(try await replica.search("zeppelin").map(\.conversationID) == ["c6"])
            // The upgraded index keeps working: a new write is found, a soft delete hides it.
            try await replica.applyListingPage(
                [ListedConversation(
                    conversation: T.conversation("c9", title: "Quokka census"),
                    turns: .replace([T.turn("t9", "quokka population report")]), changeToken: "9")],
                pass: 2, syncState: nil)
            #expect(Set(try await replica.search("quokka").map { $0.turnID ?? "title" }) == ["t9", "title"])
            try await replica.softDeleteConversation(id: "c1", at: ReplicaFixture.now, syncState: nil)
            #expect(try await replica.search("kiwi").isEmpty)
            let integrity = try await replica.reading { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            #expect(integrity == ["ok"])
            #expect(try await SearchIndexTests.automerge(replica) == [0, 0], "v6: indexes merged after writes, not during")
            try replica.close()
        }
    }

    /// Writes the fixture and its expected snapshot when `CONVOSYNC_WRITE_REPLICA_FIXTURE=1`;
    /// otherwise does nothing. Only meaningful with the schema the fixture's name says.
    @Test("the fixture writer (off unless asked)")
    func writeFixture() async throws {
        guard ProcessInfo.processInfo.environment["CONVOSYNC_WRITE_REPLICA_FIXTURE"] == "1" else { return }
        guard ReplicaSchema.migrator.migrations.last == "v4 outbox attempts and claims" else {
            Issue.record("the fixture is a v4 replica: write it with the code of the commit that added it")
            return
        }
        let url = Fixtures.url("replica-v4.convosync")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        try await ReplicaFixture.write(to: url.path)
        #expect(!FileManager.default.fileExists(atPath: url.path + "-wal"))
        try await withTemporaryDirectory { folder in
            let copy = folder.appendingPathComponent("copy.convosync")
            try FileManager.default.copyItem(at: url, to: copy)
            let replica = try Replica.open(at: copy.path, account: ReplicaFixture.account)
            let snapshot = try await ReplicaFixture.snapshot(replica)
            try replica.close()
            try Data(snapshot.utf8).write(to: Fixtures.url("replica-v4.expected.txt"))
        }
    }
}

/// The fixture replica's content, and the snapshot the upgrade test compares.
enum ReplicaFixture {
    typealias T = ReplicaTesting
    static let account = AccountBinding(baseURL: "https://api.example.com/v1", dialect: .agentflow)
    static let now = T.date("2026-02-01T10:00:00Z")

    /// Tables compared row by row (every column, in rowid order).
    static let tables = ["account", "conversation", "turn", "fragment", "file", "data_frame", "sync_state", "outbox"]
    /// Searches compared hit by hit: visible words, words only in hidden text, phrases, prefixes.
    static let searches = [
        "acme", "renewal", "kiwi", "orchard", "zeppelin", "offline", "walrus", "platypus", "narwhal", "kumquat",
        "quarterly report", "\"renewal terms\"", "renew*", "cafe", "lisbon -travel", "budget", "plan",
    ]

    /// Every row of every table, the listing totals, the outbox as the engine reads it and
    /// every search's hits, as text.
    static func snapshot(_ replica: Replica) async throws -> String {
        var lines: [String] = []
        let rows = try await replica.reading { db -> [String] in
            var lines = ["application_id \(try Int.fetchOne(db, sql: "PRAGMA application_id") ?? 0)"]
            for table in tables {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY rowid") {
                    lines.append("\(table) " + row.map { "\($0.0)=\($0.1)" }.joined(separator: " "))
                }
            }
            return lines
        }
        lines += rows
        let visible = try await replica.conversations(ConversationQuery(limit: 100))
        let all = try await replica.conversations(ConversationQuery(filters: .init(includeDeleted: true), limit: 100))
        lines.append("listing total=\(visible.total) ids=\(visible.items.map { $0.remoteID ?? "local" })")
        lines.append("listing+deleted total=\(all.total) ids=\(all.items.map { $0.remoteID ?? "local" })")
        for op in try await replica.outboxQueue() {
            lines.append("queue \(op.id) \(op.kind) \(op.write) attempts=\(op.attempts)")
        }
        for query in searches {
            let hits = try await replica.search(query, limit: 50)
            let described = hits.map { hit in
                "\(hit.conversationID)/\(hit.conversationLocalID)/\(hit.turnID ?? "title") \(hit.title ?? "-") «\(hit.snippet)»"
            }.sorted()
            lines.append("search \(query): \(described.count) hit(s)")
            lines += described.map { "  " + $0 }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes the fixture replica through the public API and closes it with the WAL
    /// checkpointed into the one file.
    static func write(to path: String) async throws {
        let replica = try Replica.open(at: path, account: account)
        // Twenty conversations as an import writes them.
        let lines = try String(contentsOf: Fixtures.url("sample.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        _ = try await replica.importJSONL(lines: T.lines(lines))

        func conversation(_ id: String, _ title: String, deletedAt: Date? = nil) -> Conversation {
            Conversation(
                id: id, agentID: "agent_1", title: title,
                metadata: .object(["team": .string("sales"), "priority": .int(2), "tags": .array([.string("q3")])]),
                source: "web", sourceRefID: "ref_\(id)", messageCount: 3, maxContextLength: 8192,
                createdAt: T.date("2026-01-01T00:00:00Z"), updatedAt: T.date("2026-01-02T03:04:05Z"), deletedAt: deletedAt)
        }
        let withCode = Turn(
            id: "t1c", role: .assistant, timestamp: T.date("2026-01-02T03:05:00Z"), state: .done,
            fragments: [
                Fragment(content: "Here is the kiwi orchard plan.", state: .done),
                Fragment(kind: "code", content: "let kumquat = 1", state: .done, metadata: .object(["language": .string("swift")])),
            ])
        let deletedTurn = Turn(
            id: "t3b", role: .assistant, timestamp: T.date("2026-01-02T03:06:00Z"), state: .done,
            deletedAt: T.date("2026-01-20T00:00:00Z"), fragments: [Fragment(content: "a platypus appears", state: .done)])
        let page: [ListedConversation] = [
            ListedConversation(
                conversation: conversation("c1", "Kiwi orchard"),
                turns: .replace([T.turn("t1a", "How big is the kiwi orchard?"), withCode,
                                 T.turn("t1d", "And the budget?", at: "2026-01-02T03:07:00Z")]),
                changeToken: "{\"count\":3,\"updated_at\":\"2026-01-02T03:04:05Z\"}"),
            ListedConversation(
                conversation: conversation("c2", "Walrus watch", deletedAt: T.date("2026-01-15T00:00:00Z")),
                turns: .replace([T.turn("t2a", "the walrus colony grows")]), changeToken: "c2-token"),
            ListedConversation(
                conversation: conversation("c3", "Zoo budget"),
                turns: .replace([T.turn("t3a", "the zoo budget for feeding"), deletedTurn]), changeToken: "c3-token"),
            ListedConversation(
                conversation: conversation("c4", "Narwhal study"),
                turns: .replace([T.turn("t4a", "narwhal tusks are teeth")]), changeToken: "c4-token"),
            ListedConversation(
                conversation: conversation("c5", "Invoices"),
                turns: .replace([T.turn("t5a", "attach the invoice report")]), changeToken: "c5-token"),
            ListedConversation(
                conversation: conversation("c6", "Airships"),
                turns: .replace([T.turn("t6a", "tell me about airships")]), changeToken: "c6-token"),
        ]
        try await replica.applyListingPage(
            page, pass: 1, at: now,
            syncState: SyncStateUpdate(
                scope: "conversations", cursor: .set("cursor-after-page-1"), offset: .set(100), passGeneration: .set(1),
                highWaterMark: .set(T.date("2026-01-02T03:04:05Z"))))
        try await replica.applyListingPage(
            [], purged: ["c4"], pass: 1, at: T.date("2026-01-25T00:00:00Z"),
            syncState: SyncStateUpdate(scope: "messages:c3", offset: .set(2)))
        try await replica.setSyncState(SyncStateUpdate(scope: "watch:c1", lastEventID: .set("evt_42")))

        try await replica.recordFiles(
            [FileInfo(ref: "file_1", name: "report.pdf", contentType: "application/pdf", size: 1234, direction: .output)],
            conversationID: "c5")
        try await replica.recordDataFrames(
            [DataFrameInfo(name: "invoices", columns: ["id", "amount"], rowCount: 2)], conversationID: "c5")
        try await replica.cacheDataFrameRows(
            name: "invoices", conversationID: "c5", rows: [[.int(1), .double(9.5)], [.int(2), .int(12)]])

        // Offline writes: a conversation made offline, a queued send after one cut attempt, a refused rename.
        _ = try await replica.enqueue(
            .createConversation(agentID: "agent_1", title: "Offline plan", metadata: .object(["team": .string("ops")]),
                                maxContextLength: 4096),
            in: nil, idempotencyKey: "key-create", at: now)
        let send = try await replica.enqueue(
            .sendMessage(text: "What about the zeppelin contract?"), in: .remote("c6"), idempotencyKey: "key-send", at: now)
        let owner = OutboxClaimOwner()
        var tried = Set<Int64>()
        while let claimed = try await replica.claimOutboxOp(for: owner, lasting: .seconds(60), skipping: tried, at: now) {
            tried.insert(claimed.op.id)
            guard claimed.op.id == send.opID else { continue }
            _ = try await replica.beginOutboxAttempt(send.opID, for: owner, lasting: .seconds(60), at: now)
            try await replica.recordOutboxFailure(send.opID, reason: "the stream was cut", permanent: false)
        }
        for id in tried { try await replica.releaseOutboxClaim(id, for: owner) }
        let rename = try await replica.enqueue(.rename(title: "Kiwi"), in: .remote("c1"), idempotencyKey: "key-rename", at: now)
        try await replica.recordOutboxFailure(rename.opID, reason: "title refused by the remote", permanent: true)

        try await replica.pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
        }
        try replica.close()
    }
}
