import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

/// What happens to an op after it is enqueued: the push order, completion with the remote's
/// answer, failure, retry and discard, re-application over pulls, and streamed reply placeholders.
@Suite("Outbox: queue, completion, failure and re-apply")
struct OutboxLifecycleTests {
    typealias T = ReplicaTesting
    static let now = T.date("2026-02-01T10:00:00Z")

    static func create(_ replica: Replica, key: String) async throws -> EnqueuedWrite {
        try await replica.enqueue(
            .createConversation(agentID: "agent_1", title: "Offline \(key)", metadata: nil, maxContextLength: nil),
            in: nil, idempotencyKey: key, at: now)
    }

    static func send(_ replica: Replica, _ text: String, to ref: ConversationRef, key: String) async throws
        -> EnqueuedWrite
    {
        try await replica.enqueue(.sendMessage(text: text), in: ref, idempotencyKey: key, at: now)
    }

    @Test("the queue is in op order; a local conversation's ops follow its create and are blocked when it fails for good")
    func queueOrderAndBlocking() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let first = try await Self.create(replica, key: "create-a")
            try await Self.send(replica, "hello a", to: .local(first.conversationLocalID), key: "send-a")
            try await Self.send(replica, "hello c1", to: .remote("c1"), key: "send-c1")
            let second = try await Self.create(replica, key: "create-b")
            try await Self.send(replica, "hello b", to: .local(second.conversationLocalID), key: "send-b")
            #expect(try await replica.outboxQueue().map(\.idempotencyKey)
                == ["create-a", "send-a", "send-c1", "create-b", "send-b"])

            try await replica.recordOutboxFailure(first.opID, reason: "agent_not_found", permanent: true)
            #expect(try await replica.outboxQueue().map(\.idempotencyKey) == ["send-c1", "create-b", "send-b"])
            // Still shown as waiting, with why its create failed.
            let all = try await replica.pendingOutbox()
            #expect(all.map(\.idempotencyKey) == ["create-a", "send-a", "send-c1", "create-b", "send-b"])
            #expect(all[0].state == .failed)
            #expect(all[0].lastError == "agent_not_found")

            try await replica.retryOutboxOp(first.opID)
            #expect(try await replica.outboxQueue().first?.idempotencyKey == "create-a")
        }
    }

    @Test("a message delete waits behind the pending send of that message")
    func messageDeleteWaitsForItsSend() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "oops", to: .remote("c1"), key: "send")
            let turn = try #require(sent.turnLocalID)
            try await replica.enqueue(.deleteMessage(.local(turn)), in: .remote("c1"), idempotencyKey: "del", at: Self.now)
            #expect(try await replica.outboxQueue().map(\.idempotencyKey) == ["send"])
            try await replica.completeOutboxOp(
                sent.opID,
                with: OutboxCompletion(turns: [T.turn("m1", "oops"), T.turn("m2", "noted", role: .assistant)]))
            let queue = try await replica.outboxQueue()
            #expect(queue.map(\.idempotencyKey) == ["del"])
            #expect(queue.first?.turnLocalID == turn)
            #expect(queue.first?.turnRemoteID == "m1")
            // The pending delete still hides the message the completion just wrote.
            #expect(try await replica.conversation(id: "c1")?.turns.map(\.id) == ["m2"])
        }
    }

    @Test("completion gives the conversation its remote id and the local turns the remote ids: keys unchanged, nothing twice")
    func completionAdoptsRemoteIDs() async throws {
        try await T.withReplica { replica in
            let created = try await Self.create(replica, key: "create")
            let local = ConversationRef.local(created.conversationLocalID)
            let sent = try await Self.send(replica, "What is our Q3 pipeline?", to: local, key: "send")
            let reply = try await replica.beginLocalReply(forOp: sent.opID)
            try await replica.appendLocalReply(turn: reply, text: "It is")
            try await replica.finishLocalReply(turn: reply, state: .done, errorDetail: nil, fullText: "It is strong.")

            let remote = T.conversation("conv_9", title: "Offline create")
            try await replica.completeOutboxOp(created.opID, with: OutboxCompletion(conversationID: "conv_9", conversation: remote))
            var detail = try #require(try await replica.conversation(id: "conv_9"))
            #expect(detail.summary.localID == created.conversationLocalID)
            #expect(detail.turns.map(\.id) == ["", ""], "the send is still pending")

            let turns = [
                T.turn("m1", "What is our Q3 pipeline?"), T.turn("m2", "It is strong, with three deals.", role: .assistant),
            ]
            try await replica.completeOutboxOp(sent.opID, with: OutboxCompletion(turns: turns))
            detail = try #require(try await replica.conversation(.local(created.conversationLocalID)))
            #expect(detail.turns.map(\.id) == ["m1", "m2"])
            #expect(detail.turnLocalIDs == [try #require(sent.turnLocalID), reply])
            #expect(detail.turns[1].text == "It is strong, with three deals.")
            #expect(detail.summary.title == "Offline create")
            let turnCount = try await replica.reading { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM turn") }
            #expect(turnCount == 2)
            #expect(try await replica.pendingOutbox().isEmpty)
            // A later pull of the same turns changes nothing.
            try await replica.replaceTurns(conversationID: "conv_9", turns: turns, syncState: nil)
            #expect(try await replica.conversation(id: "conv_9")?.turnLocalIDs == detail.turnLocalIDs)
        }
    }

    @Test("a pull that wrote the sent message before its completion leaves one copy, under the local key")
    func completionAfterPullKeepsOneCopy() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("m0", "same words")], syncState: nil)
            let sent = try await Self.send(replica, "same words", to: .remote("c1"), key: "send")
            let turns = [T.turn("m0", "same words"), T.turn("m1", "same words"), T.turn("m2", "reply", role: .assistant)]
            try await replica.replaceTurns(conversationID: "c1", turns: turns, syncState: nil)
            var detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["m0", "m1", "m2", ""], "the local message stays after the remote turns")

            try await replica.completeOutboxOp(sent.opID, with: OutboxCompletion(turns: turns))
            detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["m0", "m1", "m2"])
            #expect(detail.turnLocalIDs[1] == sent.turnLocalID)
        }
    }

    @Test("a message the remote rewrote is still adopted: the first new user turn takes the local key")
    func rewrittenMessageIsAdopted() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("m0", "earlier")], syncState: nil)
            let sent = try await Self.send(replica, "draft:  q3 plans", to: .remote("c1"), key: "send")
            let turns = [T.turn("m0", "earlier"), T.turn("m1", "Draft: Q3 plans"), T.turn("m2", "sure", role: .assistant)]
            try await replica.completeOutboxOp(sent.opID, with: OutboxCompletion(turns: turns))
            let detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["m0", "m1", "m2"])
            #expect(detail.turnLocalIDs[1] == sent.turnLocalID)
        }
    }

    @Test("pending ops are re-applied over pulled conversations and turns")
    func pendingOpsSurvivePulls() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations(
                [T.conversation("c1", title: "Remote"), T.conversation("c2")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "first")], syncState: nil)
            try await replica.enqueue(.rename(title: "Mine"), in: .remote("c1"), idempotencyKey: "r", at: Self.now)
            try await replica.enqueue(.deleteConversation, in: .remote("c2"), idempotencyKey: "d", at: Self.now)
            try await replica.enqueue(.deleteMessage(.remote("t1")), in: .remote("c1"), idempotencyKey: "dm", at: Self.now)
            let sent = try await Self.send(replica, "local words", to: .remote("c1"), key: "s")

            try await replica.upsertConversations(
                [T.conversation("c1", title: "Remote again"), T.conversation("c2")], pass: nil, syncState: nil)
            #expect(try await replica.conversation(id: "c1")?.summary.title == "Mine")
            #expect(try await replica.conversation(id: "c2") == nil)
            #expect(try await replica.conversations(ConversationQuery()).items.map(\.remoteID) == ["c1"])

            try await replica.replaceTurns(
                conversationID: "c1",
                turns: [T.turn("t1", "first"), T.turn("t2", "second"), T.turn("t3", "third", role: .assistant)],
                syncState: nil)
            var detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["t2", "t3", ""])
            #expect(detail.turnLocalIDs.last == sent.turnLocalID)
            try await replica.appendTurns(conversationID: "c1", turns: [T.turn("t4", "fourth")], syncState: nil)
            detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["t2", "t3", "t4", ""])
            try await replica.restoreConversation(id: "c2", syncState: nil)
            #expect(try await replica.conversation(id: "c2") == nil, "the pending delete keeps it hidden")
        }
    }

    @Test("a permanent failure keeps the op, its text and its local turn; a retryable one only counts")
    func failureKeepsText() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "Please keep these words", to: .remote("c1"), key: "send")
            try await replica.recordOutboxFailure(sent.opID, reason: "unavailable", permanent: false)
            var op = try #require(try await replica.outboxQueue().first)
            #expect(op.attempts == 1)
            #expect(op.state == .pending)
            try await replica.recordOutboxFailure(sent.opID, reason: "content too long", permanent: true)
            #expect(try await replica.outboxQueue().isEmpty)
            op = try #require(try await replica.pendingOutbox().first)
            #expect(op.state == .failed)
            #expect(op.attempts == 2)
            #expect(op.lastError == "content too long")
            #expect(op.write == .sendMessage(text: "Please keep these words"))
            #expect(try await replica.conversation(id: "c1")?.turns.last?.text == "Please keep these words")
            await #expect(throws: StoreError.self) {
                try await replica.recordOutboxFailure(12345, reason: "x", permanent: true)
            }
        }
    }

    @Test("discarding an op undoes its optimistic effect")
    func discardUndoes() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1", title: "Before")], pass: nil, syncState: nil)
            let rename = try await replica.enqueue(.rename(title: "After"), in: .remote("c1"), idempotencyKey: "r", at: Self.now)
            let delete = try await replica.enqueue(.deleteConversation, in: .remote("c1"), idempotencyKey: "d", at: Self.now)
            try await replica.discardOutboxOp(delete.opID)
            #expect(try await replica.conversation(id: "c1")?.summary.title == "After")
            try await replica.discardOutboxOp(rename.opID)
            #expect(try await replica.conversation(id: "c1")?.summary.title == "Before")

            let sent = try await Self.send(replica, "never mind", to: .remote("c1"), key: "s")
            try await replica.discardOutboxOp(sent.opID)
            #expect(try await replica.conversation(id: "c1")?.turns.isEmpty == true)

            let created = try await Self.create(replica, key: "c")
            try await replica.discardOutboxOp(created.opID)
            #expect(try await replica.conversation(.local(created.conversationLocalID)) == nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 1)
            #expect(try await replica.pendingOutbox().isEmpty)
            await #expect(throws: StoreError.self) { try await replica.discardOutboxOp(created.opID) }
        }
    }

    @Test("a reply placeholder streams into one in-progress fragment, ends done, and restarts in place when replayed")
    func replyPlaceholder() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "question", to: .remote("c1"), key: "s")
            let later = try await Self.send(replica, "follow-up", to: .remote("c1"), key: "s2")
            let turn = try await replica.beginLocalReply(forOp: sent.opID)
            try await replica.appendLocalReply(turn: turn, text: "Half an ")
            var detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turnLocalIDs == [try #require(sent.turnLocalID), turn, try #require(later.turnLocalID)])
            #expect(detail.turns[1].state == .inProgress)
            #expect(detail.turns[1].fragments == [Fragment(content: "Half an ", state: .inProgress)])

            #expect(try await replica.beginLocalReply(forOp: sent.opID) == turn)
            try await replica.appendLocalReply(turn: turn, text: "Whole ")
            try await replica.appendLocalReply(turn: turn, text: "answer")
            try await replica.finishLocalReply(turn: turn, state: .done, errorDetail: nil, fullText: nil)
            detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.count == 3)
            #expect(detail.turns[1].state == .done)
            #expect(detail.turns[1].fragments == [Fragment(content: "Whole answer", state: .done)])
            #expect(try await replica.search("answer").count == 1)

            await #expect(throws: StoreError.self) { try await replica.beginLocalReply(forOp: 999) }
            await #expect(throws: StoreError.self) {
                try await replica.finishLocalReply(turn: turn, state: .inProgress, errorDetail: nil, fullText: nil)
            }
        }
    }

    @Test("collecting tombstones keeps a deleted message an outbox op names")
    func tombstonesKeepWhatOpsName() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("t1", "keep"), T.turn("t2", "drop")], syncState: nil)
            try await replica.softDeleteTurn(id: "t2", at: T.date("2026-01-01T00:00:00Z"), syncState: nil)
            try await replica.enqueue(.deleteMessage(.remote("t1")), in: .remote("c1"), idempotencyKey: "k", at: T.date("2026-01-01T00:00:00Z"))
            try await replica.collectTombstones(olderThan: T.date("2027-01-01T00:00:00Z"))
            let remaining = try await replica.reading { db in try String.fetchAll(db, sql: "SELECT remote_id FROM turn") }
            #expect(remaining == ["t1"])
        }
    }

    @Test("a hard delete's completion marks the conversation purged")
    func hardDeleteCompletionPurges() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "c1", turns: [T.turn("t1", "secret plans")], syncState: nil)
            let deleted = try await replica.enqueue(.deleteConversation, in: .remote("c1"), idempotencyKey: "d", at: Self.now)
            try await replica.completeOutboxOp(deleted.opID, with: OutboxCompletion(purged: true))
            #expect(try await replica.conversation(id: "c1", includeDeleted: true) == nil)
            #expect(try await replica.conversations(ConversationQuery(filters: .init(includeDeleted: true))).total == 0)
            #expect(try await replica.search("secret").isEmpty)
        }
    }

    @Test("the migration's rebuild of the outbox keeps every op, field for field, and the schema")
    func outboxRebuildKeepsOps() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await Self.send(replica, "kept through the rebuild", to: .remote("c1"), key: "s")
            let rename = try await replica.enqueue(.rename(title: "Renamed"), in: .remote("c1"), idempotencyKey: "r", at: Self.now)
            try await replica.recordOutboxFailure(rename.opID, reason: "refused", permanent: true)
            let before = try await replica.pendingOutbox()
            let schema = try await replica.reading { db in try ReplicaSchema.dump(db) }
            // As the migrator runs it: foreign keys off, one transaction; then the later
            // migrations that add outbox columns, as they follow it.
            try await replica.pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA foreign_keys = OFF")
                try db.inTransaction {
                    try db.execute(sql: ReplicaSchema.v3OutboxRebuild)
                    try db.execute(sql: ReplicaSchema.v4OutboxAttemptsAndClaims)
                    return .commit
                }
                try db.execute(sql: "PRAGMA foreign_keys = ON")
            }
            #expect(try await replica.pendingOutbox() == before)
            #expect(try await replica.reading { db in try ReplicaSchema.dump(db) } == schema)
        }
    }
}
