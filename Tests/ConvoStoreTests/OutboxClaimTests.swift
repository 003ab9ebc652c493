import ConvoModel
@testable import ConvoStore
import Foundation
import GRDB
import Testing
import TestSupport

/// Exactly once without help from the platform, in the replica: claims that keep two pushers
/// off one op, the attempt recorded before a request leaves, delivery recorded with the
/// reply's first fragment, the rule that finds a sent message among the remote's turns, and
/// a retry under a new key.
@Suite("Outbox: claims, attempts, delivery and read-before-resend")
struct OutboxClaimTests {
    typealias T = ReplicaTesting
    static let now = T.date("2026-02-01T10:00:00Z")

    @discardableResult
    static func send(_ replica: Replica, _ text: String, to id: String, key: String) async throws -> EnqueuedWrite {
        try await replica.enqueue(.sendMessage(text: text), in: .remote(id), idempotencyKey: key, at: now)
    }

    /// A token naming this host and a process that has exited.
    static func deadProcessToken() throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit 0"]
        try ChildProcess.launch(process)
        process.waitUntilExit()
        let parts = OutboxClaimOwner().token.split(separator: "/").map(String.init)
        return "\(parts[0])/\(process.processIdentifier)/\(parts[2])"
    }

    @Test("a replica from before claims migrates with every op kept and nothing claimed or attempted")
    func migrationFromV3KeepsOps() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("old.convosync").path
            let old = try DatabaseQueue(path: path)
            try ReplicaSchema.migrator.migrate(old, upTo: "v3 outbox writes")
            try await old.write { db in
                try db.execute(
                    sql: "INSERT INTO account (id, base_url, dialect, created_at) VALUES (1, ?, 'agentflow', 0)",
                    arguments: [T.account.baseURL])
                try db.execute(sql: "INSERT INTO conversation (id, remote_id) VALUES (1, 'c1')")
                try db.execute(
                    sql: """
                        INSERT INTO outbox (id, conversation_id, kind, payload, idempotency_key, attempts, last_error, created_at)
                        VALUES (1, 1, 'send_message', '{"text":"from before"}', 'old-key', 2, 'offline', 5)
                        """)
            }
            try old.close()
            let replica = try Replica.open(at: path, account: T.account)
            let op = try #require(try await replica.pendingOutbox().first)
            #expect(op.idempotencyKey == "old-key")
            #expect(op.attempts == 2)
            #expect(op.write == .sendMessage(text: "from before"))
            let claimed = try #require(try await replica.claimOutboxOp(for: OutboxClaimOwner(), lasting: .seconds(1)))
            #expect(claimed.attemptedAt == nil)
            try replica.close()
        }
    }

    @Test("a claimed op is skipped by another owner with the ops behind it in its conversation; others go on")
    func claimsExclude() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1"), T.conversation("c2")], pass: nil, syncState: nil)
            let first = try await Self.send(replica, "one", to: "c1", key: "k1")
            try await Self.send(replica, "two", to: "c1", key: "k2")
            let other = try await Self.send(replica, "three", to: "c2", key: "k3")
            let daemon = OutboxClaimOwner()
            let command = OutboxClaimOwner()
            #expect(daemon != command)

            let claimed = try #require(try await replica.claimOutboxOp(for: daemon, lasting: .seconds(120), at: Self.now))
            #expect(claimed.op.id == first.opID)
            #expect(claimed.attemptedAt == nil)
            // The other process may not take op 1, nor op 2 behind it: c2's op is its to push.
            let second = try #require(try await replica.claimOutboxOp(for: command, lasting: .seconds(120), at: Self.now))
            #expect(second.op.id == other.opID)
            #expect(try await replica.claimOutboxOp(for: command, lasting: .seconds(120), skipping: [other.opID], at: Self.now) == nil)
            #expect(try await replica.isOutboxOpClaimed(first.opID, at: Self.now))
            #expect(try await !replica.isOutboxOpClaimed(first.opID, byOtherThan: daemon, at: Self.now))

            // Released, op 1 is anyone's again.
            try await replica.releaseOutboxClaim(first.opID, for: command)
            #expect(try await replica.isOutboxOpClaimed(first.opID, at: Self.now), "only its owner releases a claim")
            try await replica.releaseOutboxClaim(first.opID, for: daemon)
            #expect(try await replica.claimOutboxOp(for: command, lasting: .seconds(120), skipping: [other.opID], at: Self.now)?.op.id
                == first.opID)
        }
    }

    @Test("a claim lapses at its expiry unless renewed; a renewal by an owner that lost it fails")
    func claimsExpire() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "one", to: "c1", key: "k1")
            let first = OutboxClaimOwner()
            let second = OutboxClaimOwner()
            _ = try #require(try await replica.claimOutboxOp(for: first, lasting: .seconds(120), at: Self.now))
            let renewedAt = Self.now.addingTimeInterval(100)
            #expect(try await replica.renewOutboxClaim(sent.opID, for: first, lasting: .seconds(120), at: renewedAt))
            // 150 s after the claim, the renewal still holds it (it runs to 220 s).
            #expect(try await replica.claimOutboxOp(for: second, lasting: .seconds(120), at: Self.now.addingTimeInterval(150)) == nil)
            let lapsed = Self.now.addingTimeInterval(221)
            #expect(try await !replica.isOutboxOpClaimed(sent.opID, at: lapsed))
            #expect(try await replica.claimOutboxOp(for: second, lasting: .seconds(120), at: lapsed)?.op.id == sent.opID)
            #expect(try await !replica.renewOutboxClaim(sent.opID, for: first, lasting: .seconds(120), at: lapsed))
            #expect(try await !replica.beginOutboxAttempt(sent.opID, for: first, lasting: .seconds(120), at: lapsed),
                    "a pusher that lost its claim must not send")
        }
    }

    @Test("a claim left by a process that is gone from this host is taken over at once")
    func deadOwnersClaimIsTakenOver() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "one", to: "c1", key: "k1")
            let dead = try Self.deadProcessToken()
            let future = Timestamp.milliseconds(Date().addingTimeInterval(3600))
            try await replica.writing { db in
                try db.execute(
                    sql: "UPDATE outbox SET claim_owner = ?, claim_expires_at = ? WHERE id = ?",
                    arguments: [dead, future, sent.opID])
            }
            #expect(try await !replica.isOutboxOpClaimed(sent.opID))
            #expect(try await replica.claimOutboxOp(for: OutboxClaimOwner(), lasting: .seconds(120))?.op.id == sent.opID)
        }
    }

    @Test("an attempt is recorded before the request with the last remote turn known; later attempts keep both")
    func attemptIsRecorded() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("m1", "hello"), T.turn("m2", "hi", role: .assistant)], syncState: nil)
            let sent = try await Self.send(replica, "again", to: "c1", key: "k1")
            let owner = OutboxClaimOwner()
            _ = try #require(try await replica.claimOutboxOp(for: owner, lasting: .seconds(120)))
            #expect(try await replica.beginOutboxAttempt(sent.opID, for: owner, lasting: .seconds(120), at: Self.now))
            // A pull between attempts brings a later turn; the first attempt's mark stands.
            try await replica.appendTurns(conversationID: "c1", turns: [T.turn("m3", "from the web")], syncState: nil)
            #expect(try await replica.beginOutboxAttempt(sent.opID, for: owner, lasting: .seconds(120), at: Self.now.addingTimeInterval(5)))
            try await replica.recordOutboxFailure(sent.opID, reason: "cut", permanent: false)
            let opID = sent.opID
            let (attemptedAt, sentAfter, claimOwner) = try await replica.reading { db -> (Int64?, String?, String?) in
                let row = try Row.fetchOne(
                    db, sql: "SELECT attempted_at, sent_after_turn, claim_owner FROM outbox WHERE id = ?", arguments: [opID])
                return (row?["attempted_at"], row?["sent_after_turn"], row?["claim_owner"])
            }
            #expect(attemptedAt == Timestamp.milliseconds(Self.now))
            #expect(sentAfter == "m2")
            #expect(claimOwner == nil, "a recorded failure releases the claim")
            let again = try #require(try await replica.claimOutboxOp(for: OutboxClaimOwner(), lasting: .seconds(120)))
            #expect(again.attemptedAt == Self.now)
        }
    }

    @Test("the reply's first fragment marks the op delivered in its own transaction")
    func firstFragmentMarksDelivered() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "one", to: "c1", key: "k1")
            #expect(try await replica.pendingOutbox().first?.deliveredAt == nil)
            _ = try await replica.beginLocalReply(forOp: sent.opID)
            // Nothing else ran: a process killed here leaves the op delivered, to be read, not resent.
            #expect(try await replica.pendingOutbox().first?.deliveredAt != nil)
        }
    }

    @Test("a sent message is the first user turn with its text after the last turn known when it was first attempted")
    func sentTurnRule() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1", turns: [T.turn("m1", "yes"), T.turn("m2", "Noted.", role: .assistant)], syncState: nil)
            let sent = try await Self.send(replica, "yes", to: "c1", key: "k1")
            let owner = OutboxClaimOwner()
            _ = try #require(try await replica.claimOutboxOp(for: owner, lasting: .seconds(120)))
            #expect(try await replica.beginOutboxAttempt(sent.opID, for: owner, lasting: .seconds(120)))

            let before = [T.turn("m1", "yes"), T.turn("m2", "Noted.", role: .assistant)]
            // Only the earlier identical message: not this one, so it is sent.
            #expect(try await replica.sentTurn(ofOp: sent.opID, among: before) == nil)
            // Another client's message, then ours (trimmed by the platform), then its reply.
            let after = before + [
                T.turn("m3", "no"), T.turn("m4", "Ok.", role: .assistant), T.turn("m5", " yes\n"),
                T.turn("m6", "Noted again.", role: .assistant), T.turn("m7", "yes"),
            ]
            #expect(try await replica.sentTurn(ofOp: sent.opID, among: after) == "m5")
            // The last known turn gone from the remote: the first match anywhere.
            #expect(try await replica.sentTurn(ofOp: sent.opID, among: Array(after.dropFirst(2))) == "m5")
            #expect(try await replica.sentTurn(ofOp: sent.opID, among: [T.turn("m9", "yes please")]) == nil)
        }
    }

    @Test("a turn bound to another pending op's message is not taken for this one")
    func sentTurnSkipsBoundTurns() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let first = try await Self.send(replica, "ping", to: "c1", key: "k1")
            let second = try await Self.send(replica, "ping", to: "c1", key: "k2")
            let firstTurn = try #require(first.turnLocalID)
            try await replica.writing { db in
                try db.execute(sql: "UPDATE turn SET remote_id = 'm1' WHERE id = ?", arguments: [firstTurn])
            }
            let remote = [T.turn("m1", "ping"), T.turn("m2", "pong", role: .assistant), T.turn("m3", "ping")]
            #expect(try await replica.sentTurn(ofOp: second.opID, among: remote) == "m3")
            #expect(try await replica.sentTurn(ofOp: first.opID, among: remote) == "m1")
        }
    }

    @Test("completion adopts the sent turn the pusher identified, and the reply after it")
    func completionAdoptsTheIdentifiedTurn() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "ok", to: "c1", key: "k1")
            let remote = [
                T.turn("m1", "ok"), T.turn("m2", "first", role: .assistant), T.turn("m3", "ok"),
                T.turn("m4", "second", role: .assistant),
            ]
            try await replica.completeOutboxOp(sent.opID, with: OutboxCompletion(turns: remote, sentTurnID: "m3"))
            let detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns.map(\.id) == ["m1", "m2", "m3", "m4"])
            let index = try #require(detail.turns.firstIndex { $0.id == "m3" })
            #expect(detail.turnLocalIDs[index] == sent.turnLocalID)
        }
    }

    @Test("a failed op retried under a new key goes out under it; a key another op holds is refused")
    func retryUnderANewKey() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let sent = try await Self.send(replica, "one", to: "c1", key: "k1")
            try await Self.send(replica, "two", to: "c1", key: "k2")
            try await replica.recordOutboxFailure(sent.opID, reason: "conversation_not_found", permanent: true)
            await #expect(throws: StoreError.self) { try await replica.retryOutboxOp(sent.opID, idempotencyKey: "k2") }
            await #expect(throws: StoreError.self) { try await replica.retryOutboxOp(sent.opID, idempotencyKey: "has space") }
            #expect(try await replica.pendingOutbox().first?.state == .failed, "a refused retry changes nothing")
            try await replica.retryOutboxOp(sent.opID, idempotencyKey: "k1-retry")
            let op = try #require(try await replica.pendingOutbox().first)
            #expect(op.idempotencyKey == "k1-retry")
            #expect(op.state == .pending)
            #expect(op.attempts == 1)
        }
    }
}
