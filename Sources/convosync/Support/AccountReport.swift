import ConvoAccounts
import ConvoStore
import Foundation

/// What `status` says about one account.
struct AccountReport {
    var name: String?
    var dialect: String?
    var replicaPath: String
    var lastSuccess: Date?
    var cursors: [SyncState] = []
    var outbox: [OutboxOp] = []
    var daemon: DaemonStatus.Account?
    /// Why the replica could not be read (missing, not a replica, locked).
    var problem: String?

    init(name: String?, dialect: String?, replicaPath: String) {
        self.name = name
        self.dialect = dialect
        self.replicaPath = replicaPath
    }

    var pending: [OutboxOp] { outbox.filter { $0.state == .pending } }
    var failed: [OutboxOp] { outbox.filter { $0.state == .failed } }

    /// The daemon's last error, else the newest refused write's reason.
    var lastError: String? {
        daemon?.lastError ?? failed.last?.lastError
    }

    var json: JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        let cursors: [JSONValue] = cursors.map { state in
            .object([
                "scope": .string(state.scope),
                "cursor": text(state.cursor),
                "offset": state.offset.map(JSONValue.int) ?? .null,
                "pass_generation": state.passGeneration.map(JSONValue.int) ?? .null,
                "high_water_mark": text(state.highWaterMark.map(Timestamp.format)),
                "last_event_id": text(state.lastEventID),
                "updated_at": .string(Timestamp.format(state.updatedAt)),
            ])
        }
        return .object([
            "account": text(name),
            "dialect": text(dialect),
            "replica": .string(replicaPath),
            "last_success": text(lastSuccess.map(Timestamp.format)),
            "phase": text(daemon?.phase),
            "online": daemon.map { JSONValue.bool($0.online) } ?? .null,
            "lag_seconds": daemon?.lagSeconds.map { JSONValue.int(Int64($0)) } ?? .null,
            "daemon": .bool(daemon != nil),
            "last_verify": daemon?.lastVerify.map { verify in
                JSONValue.object([
                    "at": .string(verify.at), "equal": .bool(verify.equal),
                    "differences": .int(Int64(verify.differences)), "unconfirmed": .int(Int64(verify.unconfirmed)),
                ])
            } ?? .null,
            "outbox_pending": .int(Int64(pending.count)),
            "outbox_failed": .int(Int64(failed.count)),
            "last_error": text(lastError),
            "problem": text(problem),
            "cursors": .array(cursors),
            "outbox": .array(outbox.map { OpDocument($0).json }),
        ])
    }

    /// Where a scope stands, in words: its cursor, offset, last event, high-water mark or pass.
    static func position(of state: SyncState) -> String {
        if let cursor = state.cursor { return "cursor " + TextLayout.truncate(cursor, to: 24) }
        if let offset = state.offset { return "offset \(offset)" }
        if let event = state.lastEventID { return "event " + TextLayout.truncate(event, to: 18) }
        if let mark = state.highWaterMark { return "changes since " + Timestamp.format(mark) }
        if let pass = state.passGeneration { return "pass \(pass)" }
        return "-"
    }

    func print(terminal: Terminal, daemonRuns: Bool) {
        let heading = [name.map(TextLayout.printable), dialect, TextLayout.printable(replicaPath)].compactMap { $0 }
        Swift.print(terminal.bold(heading.joined(separator: " · ")))
        if let problem {
            Swift.print(terminal.red("  " + problem.prefixCapitalized))
            return
        }
        Swift.print("  Last sync:  " + (lastSuccess.map { TextLayout.relative($0) } ?? "never"))
        if let daemon {
            var line = "  Daemon:     \(daemon.phase) · \(daemon.online ? "online" : "offline")"
            if let lag = daemon.lagSeconds { line += " · lag \(lag) s" }
            Swift.print(line)
            if let error = daemon.lastError { Swift.print(terminal.red("  Last error: " + TextLayout.printable(error))) }
            if let verify = daemon.lastVerify {
                let when = Timestamp.parse(verify.at).map { TextLayout.relative($0) } ?? verify.at
                let outcome = verify.equal ? "equal to the remote" : "\(verify.differences) differences (\(verify.unconfirmed) unconfirmed)"
                let line = "  Verified:   \(outcome) · \(when)"
                Swift.print(verify.equal ? line : terminal.red(line))
            }
        } else {
            Swift.print("  Daemon:     " + (daemonRuns ? "not syncing this account" : "not running"))
        }
        if !cursors.isEmpty {
            Swift.print("  Cursors:")
            let rows = cursors.map { state -> [String] in
                [TextLayout.truncate(state.scope, to: 40), Self.position(of: state), TextLayout.relative(state.updatedAt)]
            }
            for line in TextLayout.table(header: ["SCOPE", "POSITION", "UPDATED"], rows: rows, width: terminal.width - 4) {
                Swift.print("    " + line)
            }
        }
        Swift.print("  Outbox:     \(pending.count) pending, \(failed.count) failed")
        guard !outbox.isEmpty else { return }
        let rows = outbox.map { op -> [String] in
            [
                "\(op.id)", op.state.rawValue, op.kind, TextLayout.printable(op.conversationID ?? "local:\(op.conversationLocalID)"),
                "\(op.attempts)", TextLayout.printable(op.lastError ?? ""),
            ]
        }
        let table = TextLayout.table(
            header: ["OP", "STATE", "KIND", "CONVERSATION", "TRIES", "REASON"], rows: rows, width: terminal.width - 4)
        for (index, line) in table.enumerated() {
            let failedRow = index > 0 && outbox[index - 1].state == .failed
            Swift.print("    " + (failedRow ? terminal.red(line) : line))
        }
    }
}
