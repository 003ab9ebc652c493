import ConvoAccounts
import ConvoStore
import ConvoSync
import Foundation
import Logging

/// What the everyday write commands (`send`, `rename`, `delete`, `restore`, `new`, `retry`)
/// share: the account resolved, its existing replica opened, an engine to push with, and one
/// way to report what became of a queued write.
///
/// A write is applied to the replica and queued in one transaction by the engine; the command
/// then pushes once; the engine's retry policy is the only layer that retries. The write is never lost: what the remote cannot
/// take now waits for the next `sync` or the daemon; what it refuses for good stays in the
/// outbox, failed, with the reason, for `retry` or `discard`.
struct WriteSession {
    /// The account, from flags, the environment and the config files.
    let resolved: ResolvedAccount
    /// The account's replica, its connection and its engine.
    let session: SyncSession

    /// The account's replica, which must exist (made by `sync` or `import`).
    var replica: Replica { session.replica }
    /// The engine the write goes through.
    var engine: SyncEngine { session.engine }

    /// Resolves the account and opens its session.
    /// - Throws: `CommandFailure` 66 (no replica), `AccountsError` (78 configuration),
    ///   `SyncError` `.replica` (65 another account's replica, 75 locked).
    static func open(_ options: AccountOptions) async throws -> WriteSession {
        let resolved = try options.resolve(environment: ProcessInfo.processInfo.environment)
        guard resolved.replicaExists else {
            throw CommandFailure(
                "There is no replica at '\(resolved.replicaPath)'; run 'convosync sync' for \(resolved.label) first.",
                exitCode: SysExits.noInput)
        }
        let session = try await resolved.openSession(
            configuration: SessionDefaults.sync, remote: SessionDefaults.write,
            logger: Logger(label: "convosync", factory: { _ in SwiftLogNoOpLogHandler() }))
        return WriteSession(resolved: resolved, session: session)
    }

    /// Refuses, before anything is queued, a write the account's dialect does not have.
    /// - Throws: `CommandFailure` 64.
    static func requireSupport(_ operation: RemoteCapabilities.WriteOperation, _ what: String, in dialect: Dialect) throws {
        guard RemoteCapabilities.of(dialect).supports(operation) else {
            throw CommandFailure(
                "The \(dialect.rawValue) dialect cannot \(what); nothing was queued.", exitCode: SysExits.usage)
        }
    }

    /// The conversation, deleted or not; a clear failure when the replica does not hold it.
    /// - Throws: `CommandFailure` 65.
    func requireConversation(_ conversation: ConversationArgument) async throws -> ConversationDetail {
        guard let detail = try await replica.conversation(conversation.ref, includeDeleted: true) else {
            throw CommandFailure(
                "There is no conversation '\(conversation)' in '\(replica.path)'; check the id with 'convosync list', or sync first.",
                exitCode: SysExits.dataError)
        }
        return detail
    }

    /// Opens a session, runs `body` with it and closes it, whether `body` returns or throws.
    static func with<T>(_ options: AccountOptions, _ body: (WriteSession) async throws -> T) async throws -> T {
        let session = try await open(options)
        do {
            let result = try await body(session)
            try? await session.session.close()
            return result
        } catch {
            try? await session.session.close()
            throw error
        }
    }

    /// Queues a write through `enqueue`, pushes, prints the outcome and ends with its status
    /// (see ``report(_:op:opID:json:done:extra:)``).
    /// - Parameter done: the sentence for a pushed write, given the op as queued.
    func queueAndPush(
        json: Bool, _ enqueue: () async throws -> EnqueuedWrite, done: (OutboxOp?) -> String
    ) async throws {
        let written = try await enqueue()
        let op = try await replica.pendingOutbox().first { $0.id == written.opID }
        let outcome = try await push(opID: written.opID)
        try report(outcome, op: op, opID: written.opID, json: json, done: done(op))
    }

    /// What became of one queued op after the command's push.
    enum Outcome {
        /// The remote took it.
        case pushed
        /// The remote cannot take it now; it waits, pending, for the next sync or the daemon.
        case queued(SyncError?)
        /// The remote refused it for good; it stays failed, with this reason.
        case failed(String)
    }

    /// Pushes the outbox once and tells what became of op `opID`. The engine's retry policy
    /// (``SessionDefaults/sync``: four attempts with backoff, honouring
    /// `Retry-After`) is the only layer that retries a write.
    /// - Throws: `CommandFailure` when the remote refused the account (77, 78): the write stays queued.
    ///
    /// An op another process on the replica holds (the daemon pushing it) is left to it: the
    /// command waits for that push (up to ``claimWait``) and pushes again if the op is still
    /// pending then, so a write is never reported queued only because the daemon had it.
    func push(opID: Int64) async throws -> Outcome {
        var waiting = try await pushOutbox(naming: "op \(opID)")
        if try await waitWhileClaimed(opID),
            try await replica.pendingOutbox().contains(where: { $0.id == opID && $0.state == .pending })
        {
            waiting = try await pushOutbox(naming: "op \(opID)")
        }
        return try await outcome(of: opID, waiting: waiting)
    }

    /// Pushes every queued write once (the engine retries what may pass); returns the error
    /// that leaves writes waiting (the remote unreachable or rate limiting), if any.
    /// - Parameter naming: how the failure sentence names what stays queued (`op 12`).
    /// - Throws: `CommandFailure` when the remote refused the account (77, 78): the writes stay queued.
    func pushOutbox(naming: String) async throws -> SyncError? {
        do {
            try await engine.push()
            return nil
        } catch let error as SyncError where error.isRetryable {
            return error
        } catch let error as SyncError {
            let failure = CommandFailure(error, remote: resolved)
            throw CommandFailure(
                failure.message + " The write stays queued (\(naming)) and goes out once that is fixed.",
                exitCode: failure.exitCode)
        }
    }

    /// How long a command waits for another process (the daemon) that is pushing its op.
    static let claimWait: Duration = .seconds(30)

    /// Waits while another process on the replica holds op `opID` (up to ``claimWait``);
    /// returns whether it did.
    func waitWhileClaimed(_ opID: Int64) async throws -> Bool {
        let deadline = ContinuousClock.now + Self.claimWait
        var waited = false
        while try await replica.isOutboxOpClaimed(opID), ContinuousClock.now < deadline {
            waited = true
            try await Task.sleep(for: .milliseconds(100))
        }
        return waited
    }

    /// What became of op `opID` after a push: gone from the outbox means pushed. While
    /// another process on the replica (the daemon) is pushing it, waits for that push (up to
    /// ``claimWait``), so a write the daemon delivers is reported pushed, not queued.
    func outcome(of opID: Int64, waiting: SyncError?) async throws -> Outcome {
        _ = try await waitWhileClaimed(opID)
        guard let op = try await replica.pendingOutbox().first(where: { $0.id == opID }) else { return .pushed }
        if op.state == .failed { return .failed(op.lastError ?? "no reason given") }
        return .queued(waiting)
    }

    /// Prints what became of the op (`--json`: one document) and ends with its exit status:
    /// 0 pushed, 75 queued, 65 refused for good.
    /// - Parameters:
    ///   - op: the op as queued, before the push.
    ///   - done: the sentence for a pushed write.
    ///   - extra: more fields for the JSON document.
    func report(
        _ outcome: Outcome, op: OutboxOp?, opID: Int64, json: Bool, done: String, extra: [String: JSONValue] = [:]
    ) throws {
        if json {
            var document = extra
            document["outcome"] = .string(outcome.name)
            document["account"] = resolved.name.map(JSONValue.string) ?? .null
            if var op = op.map(OpDocument.init) {
                switch outcome {
                case .pushed: op.state = "pushed"
                case .queued: op.state = "pending"
                case .failed(let reason):
                    op.state = "failed"
                    op.lastError = reason
                }
                document["op"] = op.json
            }
            try printJSON(JSONValue.object(document))
        }
        switch outcome {
        case .pushed:
            if !json { print(done) }
        case .queued(let error):
            let why: String
            if error?.code == .rateLimited {
                why = "The remote is rate limiting"
            } else if let host = resolved.remote.baseURL.host {
                why = "Cannot reach the remote at \(host) now"
            } else {
                why = "Cannot reach the remote now"
            }
            throw CommandFailure(
                "\(why); the write is queued (op \(opID)) and goes out with the next 'convosync sync' or the daemon.",
                exitCode: SysExits.temporaryFailure)
        case .failed(let reason):
            throw CommandFailure(
                "The remote refused op \(opID) for good: \(TextLayout.printable(reason)). It is kept: 'convosync retry \(opID)' tries again, 'convosync discard \(opID)' drops it.",
                exitCode: SysExits.dataError)
        }
    }
}

extension WriteSession.Outcome {
    /// `pushed`, `queued` or `failed`, as `--json` prints it.
    var name: String {
        switch self {
        case .pushed: "pushed"
        case .queued: "queued"
        case .failed: "failed"
        }
    }
}

/// An outbox op as `--json` prints it (`status`, `retry`, `discard` and the write commands).
struct OpDocument {
    var id: Int64
    var kind: String
    var conversation: String?
    var conversationLocalID: Int64
    var state: String
    var attempts: Int
    var lastError: String?
    var createdAt: Date

    init(_ op: OutboxOp) {
        id = op.id
        kind = op.kind
        conversation = op.conversationID
        conversationLocalID = op.conversationLocalID
        state = op.state.rawValue
        attempts = op.attempts
        lastError = op.lastError
        createdAt = op.createdAt
    }

    /// The document: `id`, `kind`, `conversation` (remote id or null), `conversation_local`
    /// (`local:N`), `state`, `attempts`, `last_error`, `created_at`.
    var json: JSONValue {
        .object([
            "id": .int(id),
            "kind": .string(kind),
            "conversation": conversation.map(JSONValue.string) ?? .null,
            "conversation_local": .string("local:\(conversationLocalID)"),
            "state": .string(state),
            "attempts": .int(Int64(attempts)),
            "last_error": lastError.map(JSONValue.string) ?? .null,
            "created_at": .string(Timestamp.format(createdAt)),
        ])
    }
}
