import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

/// Offline writes: each applies its optimistic effect and records its op in one transaction,
/// and bad input is refused with nothing written.
@Suite("Outbox: enqueueing local writes")
struct OutboxWriteTests {
    typealias T = ReplicaTesting
    static let now = T.date("2026-02-01T10:00:00Z")

    static func create(_ replica: Replica, key: String = "key-create", title: String? = "Offline plan") async throws
        -> EnqueuedWrite
    {
        try await replica.enqueue(
            .createConversation(agentID: "agent_1", title: title, metadata: .object(["team": .string("sales")]),
                                maxContextLength: 4096),
            in: nil, idempotencyKey: key, at: now)
    }

    static func counts(_ replica: Replica) async throws -> [Int] {
        try await replica.reading { db in
            try ["conversation", "turn", "fragment", "outbox"].map { table in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
        }
    }

    @Test("a created conversation is listed at once with no remote id, and its op is queued with the typed write")
    func createIsListedLocally() async throws {
        try await T.withReplica { replica in
            let written = try await Self.create(replica)
            let page = try await replica.conversations(ConversationQuery())
            let item = try #require(page.items.first)
            #expect(page.total == 1)
            #expect(item.localID == written.conversationLocalID)
            #expect(item.remoteID == nil)
            #expect(item.title == "Offline plan")
            #expect(item.maxContextLength == 4096)
            let detail = try #require(try await replica.conversation(.local(written.conversationLocalID)))
            #expect(detail.summary.agentID == "agent_1")
            #expect(try await replica.search("offline").map(\.conversationLocalID) == [written.conversationLocalID])

            let queue = try await replica.outboxQueue()
            let op = try #require(queue.first)
            #expect(queue.count == 1)
            #expect(op.id == written.opID)
            #expect(op.kind == "create_conversation")
            #expect(op.conversationID == nil)
            #expect(op.agentID == "agent_1")
            #expect(op.write == .createConversation(
                agentID: "agent_1", title: "Offline plan", metadata: .object(["team": .string("sales")]),
                maxContextLength: 4096))
        }
    }

    @Test("a sent message is a done user turn after the remote turns, found by search at once")
    func sendAddsUserTurn() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("t1", "hello"), T.turn("t2", "hi there", role: .assistant)],
                syncState: nil)
            let written = try await replica.enqueue(
                .sendMessage(text: "What about the zeppelin contract?"), in: .remote("c1"), idempotencyKey: "key-send",
                at: Self.now)
            let detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["t1", "t2", ""])
            let turnID = try #require(written.turnLocalID)
            #expect(detail.turnLocalIDs.last == turnID)
            let local = try #require(detail.turns.last)
            #expect(local.role == .user)
            #expect(local.state == .done)
            #expect(local.text == "What about the zeppelin contract?")
            #expect(local.timestamp == Self.now)
            #expect(try await replica.search("zeppelin").map(\.conversationID) == ["c1"])
            let op = try #require(try await replica.outboxQueue().first)
            #expect(op.turnLocalID == turnID)
            #expect(op.turnRemoteID == nil)
            #expect(op.write == .sendMessage(text: "What about the zeppelin contract?"))
        }
    }

    @Test("rename, delete and restore of conversations and messages show at once")
    func conversationAndMessageEffects() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1", title: "Old")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "quarterly numbers")], syncState: nil)
            try await replica.enqueue(.rename(title: "New"), in: .remote("c1"), idempotencyKey: "k1", at: Self.now)
            #expect(try await replica.conversation(id: "c1")?.summary.title == "New")

            try await replica.enqueue(.deleteMessage(.remote("t1")), in: .remote("c1"), idempotencyKey: "k2", at: Self.now)
            #expect(try await replica.conversation(id: "c1")?.turns.isEmpty == true)
            #expect(try await replica.search("quarterly").isEmpty)
            try await replica.enqueue(.restoreMessage(.remote("t1")), in: .remote("c1"), idempotencyKey: "k3", at: Self.now)
            #expect(try await replica.conversation(id: "c1")?.turns.map(\.id) == ["t1"])

            try await replica.enqueue(.deleteConversation, in: .remote("c1"), idempotencyKey: "k4", at: Self.now)
            #expect(try await replica.conversation(id: "c1") == nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 0)
            try await replica.enqueue(.restoreConversation, in: .remote("c1"), idempotencyKey: "k5", at: Self.now)
            #expect(try await replica.conversation(id: "c1") != nil)

            try await replica.enqueue(
                .generateTitle(seedMessage: "numbers", force: true), in: .remote("c1"), idempotencyKey: "k6", at: Self.now)
            #expect(try await replica.conversation(id: "c1")?.summary.title == "New")
            let kinds = try await replica.outboxQueue().map(\.kind)
            #expect(kinds == ["rename", "delete_message", "restore_message", "delete_conversation",
                              "restore_conversation", "generate_title"])
        }
    }

    @Test("a write whose op cannot be inserted leaves neither the effect nor the op")
    func effectAndOpCommitTogether() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1", title: "Old")], pass: nil, syncState: nil)
            // Make every outbox insert fail, as a full disk or a constraint would.
            try await T.execute(
                "CREATE TRIGGER refuse_ops BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'refused'); END;",
                in: replica)
            let before = try await Self.counts(replica)
            await #expect(throws: StoreError.self) { try await Self.create(replica) }
            await #expect(throws: StoreError.self) {
                try await replica.enqueue(.rename(title: "New"), in: .remote("c1"), idempotencyKey: "k", at: Self.now)
            }
            #expect(try await Self.counts(replica) == before)
            #expect(try await replica.conversation(id: "c1")?.summary.title == "Old")

            // A failure after the op is in (the message's fragment) takes the op back out too.
            try await T.execute(
                """
                DROP TRIGGER refuse_ops;
                CREATE TRIGGER refuse_fragments BEFORE INSERT ON fragment BEGIN SELECT RAISE(ABORT, 'refused'); END;
                """, in: replica)
            await #expect(throws: StoreError.self) {
                try await replica.enqueue(.sendMessage(text: "hello"), in: .remote("c1"), idempotencyKey: "k", at: Self.now)
            }
            #expect(try await Self.counts(replica) == before)
        }
    }

    @Test("bad input is refused with a typed error and nothing written")
    func badInputIsRefused() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1"), T.conversation("c2")], pass: nil, syncState: nil)
            try await replica.markPurged(conversationID: "c2", at: Self.now, syncState: nil)
            let before = try await Self.counts(replica)
            func code(_ write: LocalWrite, _ ref: ConversationRef?, key: String = "fine-key") async -> StoreError.Code? {
                do {
                    try await replica.enqueue(write, in: ref, idempotencyKey: key, at: Self.now)
                    return nil
                } catch let error as StoreError {
                    return error.code
                } catch {
                    return .database
                }
            }
            #expect(await code(.sendMessage(text: "  \n"), .remote("c1")) == .invalidArgument)
            #expect(await code(.rename(title: ""), .remote("c1")) == .invalidArgument)
            #expect(await code(.sendMessage(text: "hi"), .remote("c2")) == .invalidArgument, "purged")
            #expect(await code(.sendMessage(text: "hi"), .remote("nope")) == .notFound)
            #expect(await code(.sendMessage(text: "hi"), .local(987)) == .notFound)
            #expect(await code(.deleteMessage(.remote("t-missing")), .remote("c1")) == .notFound)
            #expect(await code(.sendMessage(text: "hi"), nil) == .invalidArgument)
            #expect(await code(.createConversation(agentID: "", title: nil, metadata: nil, maxContextLength: nil), nil)
                == .invalidArgument)
            #expect(await code(.createConversation(agentID: "a", title: nil, metadata: nil, maxContextLength: nil),
                               .remote("c1")) == .invalidArgument)
            for key in ["", "has space", "tab\t", "ünïcode", String(repeating: "k", count: 256)] {
                #expect(await code(.sendMessage(text: "hi"), .remote("c1"), key: key) == .invalidArgument)
            }
            #expect(try await Self.counts(replica) == before)
            #expect(await code(.sendMessage(text: "hi"), .remote("c1"), key: "once") == nil)
            #expect(await code(.sendMessage(text: "again"), .remote("c1"), key: "once") == .invalidArgument, "a reused key")
        }
    }

    @Test("an upload's bytes are staged under the replica's folder, never at a path from the file's name")
    func uploadIsStaged() async throws {
        try await withTemporaryDirectory { folder in
            let replica = try Replica.open(at: folder.appendingPathComponent("r.convosync").path, account: T.account)
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let bytes = Data((0..<1000).map { UInt8($0 % 256) })
            let hostile = "../../escape\u{7}\n.pdf"
            try await replica.enqueue(
                .uploadFile(name: hostile, contentType: "application/pdf", bytes: bytes), in: .remote("c1"),
                idempotencyKey: "../../key", at: Self.now)
            let staged = try FileManager.default.contentsOfDirectory(
                atPath: folder.appendingPathComponent("r.convosync.outbox").path)
            #expect(staged.count == 1)
            #expect(!FileManager.default.fileExists(atPath: folder.deletingLastPathComponent().appendingPathComponent("escape").path))
            let op = try #require(try await replica.outboxQueue().first)
            #expect(op.write == .uploadFile(name: hostile, contentType: "application/pdf", bytes: bytes))

            try await replica.completeOutboxOp(
                op.id,
                with: OutboxCompletion(files: [
                    RemoteFileRecord(ref: "file_1", name: hostile, contentType: "application/pdf", size: 1000, isInput: true)
                ]))
            let files = try await replica.reading { db in
                try String.fetchAll(db, sql: "SELECT file_ref || ' ' || size || ' ' || direction FROM file")
            }
            let names = try await replica.reading { db in try String.fetchAll(db, sql: "SELECT name FROM file") }
            #expect(files == ["file_1 1000 input"])
            #expect(names == [hostile])
            #expect(try FileManager.default.contentsOfDirectory(
                atPath: folder.appendingPathComponent("r.convosync.outbox").path).isEmpty)
            #expect(try await replica.outboxQueue().isEmpty)
        }
    }

    @Test("an export leaves out the conversations and messages that exist only locally")
    func exportLeavesOutLocalRows() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "remote words")], syncState: nil)
            let before = try T.exportLines(replica)
            try await replica.enqueue(.sendMessage(text: "local words"), in: .remote("c1"), idempotencyKey: "s", at: Self.now)
            _ = try await Self.create(replica)
            #expect(try T.exportLines(replica) == before)
        }
    }
}
