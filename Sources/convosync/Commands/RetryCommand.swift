import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

/// `convosync retry OP_ID | --all`: puts refused writes back in the queue and pushes them.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Queue refused local writes again, and push them.",
        discussion: """
            A write the remote refused for good stays in the outbox, failed, with the reason \
            ('convosync status' lists it with its op id). Retry puts it (or, with --all, every \
            failed one) back in the queue under a new idempotency key (under its old one a \
            platform would only repeat the refusal) and, when the remote is named (--account, or \
            --remote and --dialect), pushes at once with a short retry budget; with only --db it \
            is queued for the next 'convosync sync' or the daemon.

            Exit status: 0 pushed (or queued again when no remote is named); 75 the remote cannot \
            be reached now: queued for the next sync; 65 refused again (still kept), or no such \
            op; 66 no replica; 77 the credential was refused; 78 a missing or wrong configuration.

            Example:
              convosync retry --account work 12
              convosync retry --db work.convosync --all
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The op's id, as 'convosync status' lists it.", valueName: "op-id"))
    var opID: Int64?

    @Flag(name: .long, help: "Retry every failed op (and push the pending ones with them).")
    var all = false

    @Flag(name: .long, help: "Print the ops and their outcome as one JSON document, for scripts.")
    var json = false

    func validate() throws {
        if (opID == nil) == !all { throw ValidationError("Name one op id, or pass --all.") }
        if !namesRemote && account.db == nil {
            throw ValidationError("Name the replica with --db FILE or --account NAME.")
        }
    }

    /// Whether the flags or the environment name an account or a remote to push to.
    private var namesRemote: Bool {
        account.account != nil || account.remote != nil || account.dialect != nil
            || !(ProcessInfo.processInfo.environment["CONVOSYNC_ACCOUNT"] ?? "").isEmpty
    }

    func run() async throws {
        try await reportingFailures {
            guard namesRemote else {
                try await OfflineSession.with(replicaAt: account.db ?? "") { session in
                    let ids = try await requeue(in: session.replica, with: session.requeueRefusedWrite)
                    if json {
                        let ops = try await session.replica.pendingOutbox().filter { ids.contains($0.id) }
                        try printJSON(JSONValue.object([
                            "outcome": .string("queued"), "ops": .array(ops.map { OpDocument($0).json }),
                        ]))
                    } else {
                        print(Self.queuedSentence(ids))
                    }
                }
                return
            }
            try await WriteSession.with(account) { session in
                let ids = try await requeue(in: session.replica, with: session.session.requeueRefusedWrite)
                let before = try await session.replica.pendingOutbox().filter { ids.contains($0.id) }
                if let opID, ids == [opID] {
                    let outcome = try await session.push(opID: opID)
                    try session.report(
                        outcome, op: before.first, opID: opID, json: json, done: "Op \(opID) reached the remote.")
                    return
                }
                try await pushAll(ids, before: before, in: session)
            }
        }
    }

    /// Marks the named op (or, with `--all`, every failed one) pending again; returns the ids
    /// to report on: the named op, or with `--all` every op in the outbox (a pending one is
    /// pushed along with the rest).
    private func requeue(
        in replica: Replica, with requeueRefusedWrite: (Int64) async throws -> Void
    ) async throws -> [Int64] {
        let ops = try await replica.pendingOutbox()
        let ids: [Int64]
        if let opID {
            guard ops.contains(where: { $0.id == opID }) else {
                throw CommandFailure(
                    "There is no op \(opID) in the outbox of '\(replica.path)'; 'convosync status' lists them.",
                    exitCode: SysExits.dataError)
            }
            ids = [opID]
        } else {
            ids = ops.map(\.id)
        }
        for op in ops where ids.contains(op.id) && op.state == .failed {
            try await requeueRefusedWrite(op.id)
        }
        return ids
    }
}
