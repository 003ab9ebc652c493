import ConvoModel
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who is pushing an op: one token per pusher, naming its host and process so that a claim
/// left by a process that died (SIGKILL, a crash) on this host is taken over at once instead
/// of blocking the op until its expiry.
///
///     let owner = OutboxClaimOwner()
///     if let claimed = try await replica.claimOutboxOp(for: owner, lasting: .seconds(120)) { … }
public struct OutboxClaimOwner: Sendable, Hashable, CustomStringConvertible {
    /// The token stored in `outbox.claim_owner`: `<host>/<pid>/<uuid>`.
    public let token: String

    /// A fresh owner for this process.
    public init() {
        token = "\(Self.hostName)/\(getpid())/\(UUID().uuidString.lowercased())"
    }

    public var description: String { token }

    /// Whether a claim stored under `token` may still be held by a live pusher: always, unless
    /// it names this host and a process id that no longer exists.
    static func mayBeAlive(_ token: String) -> Bool {
        let parts = token.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, String(parts[0]) == hostName, let pid = Int32(parts[1]), pid > 0 else { return true }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || errno != ESRCH
    }

    private static let hostName: String = {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return name.isEmpty ? "localhost" : name.replacingOccurrences(of: "/", with: "_")
    }()
}

/// An op claimed for pushing (``Replica/claimOutboxOp(for:lasting:skipping:at:)``), with what
/// the pusher needs to decide between sending and reading first.
public struct ClaimedOutboxOp: Sendable, Hashable {
    /// The op, as ``Replica/outboxQueue()`` lists it.
    public var op: OutboxOp
    /// When an earlier attempt began (``Replica/beginOutboxAttempt(_:for:lasting:at:)``):
    /// the remote may hold the write although no answer arrived. `nil` before the first.
    public var attemptedAt: Date?
    /// Until when the claim holds unless renewed.
    public var claimExpiresAt: Date
}

extension Replica {
    /// Claims the first op of the push queue that no other pusher holds, in one transaction:
    /// selecting it and recording the claim (`owner`, expiry `now + duration`) commit together,
    /// so two processes on one replica never push the same op at the same time.
    ///
    /// An op claimed by another owner is skipped until its claim expires (or its owner's
    /// process is gone from this host), and so is every later op of its conversation: ops of
    /// one conversation go out in order. Ops in `skipping` (tried already in this pass) are
    /// passed over. Returns `nil` when nothing can be claimed now.
    ///
    /// - Throws: `StoreError` `.database`.
    public func claimOutboxOp(
        for owner: OutboxClaimOwner, lasting duration: Duration, skipping: Set<Int64> = [], at now: Date = Date()
    ) async throws -> ClaimedOutboxOp? {
        let folder = self.folder
        let nowMillis = Timestamp.milliseconds(now)
        let expiry = nowMillis + Self.milliseconds(duration)
        return try await writing { db in
            var blocked = Set<Int64>()
            for op in try OutboxQueries.queue(folder: folder, db) {
                guard !blocked.contains(op.conversationLocalID) else { continue }
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT claim_owner, claim_expires_at, attempted_at FROM outbox WHERE id = ?",
                        arguments: [op.id])
                else { continue }
                let holder: String? = row["claim_owner"]
                let holderExpiry: Int64? = row["claim_expires_at"]
                if let holder, holder != owner.token, let holderExpiry, holderExpiry > nowMillis,
                    OutboxClaimOwner.mayBeAlive(holder)
                {
                    blocked.insert(op.conversationLocalID)
                    continue
                }
                if skipping.contains(op.id) { continue }
                try db.execute(
                    sql: "UPDATE outbox SET claim_owner = ?, claim_expires_at = ? WHERE id = ?",
                    arguments: [owner.token, expiry, op.id])
                let attempted: Int64? = row["attempted_at"]
                return ClaimedOutboxOp(
                    op: op, attemptedAt: attempted.map { Timestamp.date(milliseconds: $0) },
                    claimExpiresAt: Timestamp.date(milliseconds: expiry))
            }
            return nil
        }
    }

    /// Extends `owner`'s claim on op `id` to `now + duration`; `false` when the claim is no
    /// longer `owner`'s (it expired and another pusher took it, or the op is gone).
    ///
    /// - Throws: `StoreError` `.database`.
    @discardableResult
    public func renewOutboxClaim(_ id: Int64, for owner: OutboxClaimOwner, lasting duration: Duration, at now: Date = Date())
        async throws -> Bool
    {
        let expiry = Timestamp.milliseconds(now) + Self.milliseconds(duration)
        return try await writing { db in
            try db.execute(
                sql: "UPDATE outbox SET claim_expires_at = ? WHERE id = ? AND claim_owner = ?",
                arguments: [expiry, id, owner.token])
            return db.changesCount > 0
        }
    }

    /// Gives up `owner`'s claim on op `id` (a no-op when it is not `owner`'s or the op is gone).
    ///
    /// - Throws: `StoreError` `.database`.
    public func releaseOutboxClaim(_ id: Int64, for owner: OutboxClaimOwner) async throws {
        try await writing { db in
            try db.execute(
                sql: "UPDATE outbox SET claim_owner = NULL, claim_expires_at = NULL WHERE id = ? AND claim_owner = ?",
                arguments: [id, owner.token])
        }
    }

    /// Whether a pusher other than `owner` holds op `id` now: a live claim, unexpired, whose
    /// owner's process (on this host) still runs. `false` for an op that is gone.
    ///
    /// - Throws: `StoreError` `.database`.
    public func isOutboxOpClaimed(_ id: Int64, byOtherThan owner: OutboxClaimOwner? = nil, at now: Date = Date())
        async throws -> Bool
    {
        let nowMillis = Timestamp.milliseconds(now)
        let claim: (holder: String, expiry: Int64)? = try await reading { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT claim_owner, claim_expires_at FROM outbox WHERE id = ?", arguments: [id])
            guard let row, let holder: String = row["claim_owner"], let expiry: Int64 = row["claim_expires_at"] else {
                return nil
            }
            return (holder, expiry)
        }
        guard let claim, claim.holder != owner?.token, claim.expiry > nowMillis else { return false }
        return OutboxClaimOwner.mayBeAlive(claim.holder)
    }

    /// Records, before the request leaves, that an attempt of op `id` begins, renewing
    /// `owner`'s claim in the same transaction. The first attempt also notes the last remote
    /// turn the replica holds in the conversation: a retry that finds the message on the
    /// remote looks for it after that turn (``sentTurn(ofOp:among:)``).
    ///
    /// Returns `false`, recording nothing, when the claim is no longer `owner`'s: the
    /// caller must not send.
    ///
    /// - Throws: `StoreError` `.database`.
    public func beginOutboxAttempt(
        _ id: Int64, for owner: OutboxClaimOwner, lasting duration: Duration, at now: Date = Date()
    ) async throws -> Bool {
        let nowMillis = Timestamp.milliseconds(now)
        let expiry = nowMillis + Self.milliseconds(duration)
        return try await writing { db in
            guard
                let conversationID = try Int64.fetchOne(
                    db, sql: "SELECT conversation_id FROM outbox WHERE id = ? AND claim_owner = ?",
                    arguments: [id, owner.token])
            else { return false }
            let lastRemote = try String.fetchOne(
                db,
                sql: """
                    SELECT remote_id FROM turn WHERE conversation_id = ? AND remote_id IS NOT NULL
                    ORDER BY ordinal DESC, id DESC LIMIT 1
                    """, arguments: [conversationID])
            try db.execute(
                sql: """
                    UPDATE outbox SET
                        sent_after_turn = CASE WHEN attempted_at IS NULL THEN ? ELSE sent_after_turn END,
                        attempted_at = coalesce(attempted_at, ?),
                        claim_expires_at = ?
                    WHERE id = ?
                    """, arguments: [lastRemote, nowMillis, expiry, id])
            return true
        }
    }

    /// The remote id of the user turn that is op `id`'s sent message among `remote` (the
    /// conversation's turns as the remote now lists them, oldest first), or `nil` when the
    /// message is not there.
    ///
    /// The rule: the first remote user turn that
    /// 1. comes after the last remote turn the replica held when the op's first attempt began
    ///    (anywhere when the replica held none, or the remote no longer lists that turn): the
    ///    message cannot precede what existed before it was sent, and an identical earlier
    ///    message (a second "yes") is not taken for it;
    /// 2. has the op's text exactly, or up to surrounding whitespace, which a platform may
    ///    trim (the same equality the completion uses to adopt it);
    /// 3. is not already bound to another op's local turn.
    ///
    /// Position comes first and content second because neither alone suffices: the same text
    /// may be sent twice, and another client may post while the op waits. What remains
    /// ambiguous (another client posting the same text, after the attempt began, before the
    /// retry reads) is read as delivered: never sending is recoverable by sending again,
    /// a duplicate message to an agent is not.
    ///
    /// - Throws: `StoreError` `.notFound` (no such op), `.invalidArgument` (not a send), `.database`.
    public func sentTurn(ofOp id: Int64, among remote: [Turn]) async throws -> String? {
        try await reading { db in try OutboxAdoption.sentTurn(ofOp: id, among: remote, db) }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// Finding a sent message among the remote's turns (``Replica/sentTurn(ofOp:among:)``).
enum OutboxAdoption {
    static func sentTurn(ofOp id: Int64, among remote: [Turn], _ db: Database) throws -> String? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT kind, payload, sent_after_turn FROM outbox WHERE id = ?", arguments: [id])
        else { throw StoreError(.notFound, "no such outbox op") }
        guard row["kind"] == OutboxKind.sendMessage.rawValue,
            let text = JSONText.decode(row["payload"])?.objectValue?["text"]?.stringValue
        else { throw StoreError(.invalidArgument, "only a sent message is looked for among the remote's turns") }
        let after: String? = row["sent_after_turn"]
        var start = remote.startIndex
        if let after, let index = remote.firstIndex(where: { $0.id == after }) {
            start = remote.index(after: index)
        }
        for turn in remote[start...] where turn.role == .user && sameText(turn.text, text) {
            let boundElsewhere =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM turn WHERE remote_id = ? AND outbox_id IS NOT NULL AND outbox_id <> ?)
                        """, arguments: [turn.id, id]) ?? false
            if !boundElsewhere { return turn.id }
        }
        return nil
    }

    /// Equal, or equal once surrounding whitespace is trimmed.
    static func sameText(_ remote: String, _ local: String) -> Bool {
        remote == local
            || remote.trimmingCharacters(in: .whitespacesAndNewlines) == local.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
