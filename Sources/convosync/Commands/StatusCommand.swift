import ArgumentParser
import ConvoAccounts
import ConvoModel
import ConvoStore
import ConvoSync
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `convosync status`: where each account's sync stands, read from its replica and, while a
/// daemon runs, from the daemon's status file. Needs no network and no credential.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each account's last sync, cursors and outbox.",
        discussion: """
            For each account in the account list (or only the one named with --account, or the \
            replica named with --db): when the replica was last in step with its remote, its \
            sync cursors, the local writes still waiting for the remote and those it refused \
            (with the reason and the op id 'convosync retry' and 'convosync discard' take), and, \
            when a daemon runs (its status file is fresh: the daemon's process is alive and \
            wrote it in the last 10 minutes), its phase, whether the remote answers, the lag and \
            the last error. Nothing is written and the network is not used.

            With --json: {"accounts": [...]}, each with account, dialect, replica, last_success, \
            phase (null without a daemon), online, lag_seconds, outbox_pending, outbox_failed, \
            last_error (the daemon's, else the newest refused write's reason), cursors and \
            outbox.

            Exit status: 0; 65 a file that is not a replica; 66 no replica at --db; 78 an \
            unknown account or a bad account list.

            Example:
              convosync status
              convosync status --account work --json
            """
    )

    @Option(help: ArgumentHelp("Only this account (see 'convosync accounts list').", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp("Only this replica file.", valueName: "file"))
    var db: String?

    @Flag(name: .long, help: "Print one JSON document, for scripts.")
    var json = false

    /// How old a daemon's status file may be and still describe a running daemon.
    static let daemonFreshness: TimeInterval = 600

    func run() async throws {
        try await reportingFailures {
            let environment = ProcessInfo.processInfo.environment
            let paths = try XDGPaths(environment: environment)
            let targets = try targets(paths)
            let daemon = Self.freshDaemonStatus(paths.statusFile)
            var reports: [AccountReport] = []
            for target in targets {
                reports.append(try await report(target, daemon: daemon, single: targets.count == 1 && (db != nil || account != nil)))
            }
            if json {
                try printJSON(JSONValue.object(["accounts": .array(reports.map(\.json))]))
                return
            }
            guard !reports.isEmpty else {
                print("No accounts yet: add one with 'convosync accounts add', or name a replica with --db FILE.")
                return
            }
            let terminal = Terminal.standardOutput(environment: environment)
            for (index, report) in reports.enumerated() {
                if index > 0 { print("") }
                report.print(terminal: terminal, daemonRuns: daemon != nil)
            }
        }
    }

    /// One replica to report on, and the account it belongs to when named.
    private struct Target {
        var name: String?
        var dialect: Dialect?
        var replicaPath: String
    }

    private func targets(_ paths: XDGPaths) throws -> [Target] {
        if let db { return [Target(name: account, dialect: nil, replicaPath: db)] }
        let accounts = try AccountsFile.load(from: paths.accountsFile).accounts
        if let account {
            try AccountsFile.requireValidName(account)
            guard let entry = accounts[account] else {
                throw CommandFailure(
                    "There is no account '\(TextLayout.printable(account))' in \(paths.accountsFile); see 'convosync accounts list'.",
                    exitCode: SysExits.configuration)
            }
            return [Target(name: account, dialect: entry.dialect, replicaPath: entry.db ?? paths.defaultReplica(account: account))]
        }
        return accounts.keys.sorted().compactMap { name in
            guard let entry = accounts[name] else { return nil }
            return Target(name: name, dialect: entry.dialect, replicaPath: entry.db ?? paths.defaultReplica(account: name))
        }
    }

    private func report(_ target: Target, daemon: DaemonStatus?, single: Bool) async throws -> AccountReport {
        var report = AccountReport(name: target.name, dialect: target.dialect?.rawValue, replicaPath: target.replicaPath)
        report.daemon = daemon?.accounts.first { line in
            target.name.map { $0 == line.name } ?? false || line.replica == target.replicaPath
        }
        if !FileManager.default.fileExists(atPath: target.replicaPath) {
            if single && target.name == nil { throw StoreError(.noSuchReplica, "no replica", path: target.replicaPath) }
            report.problem = "no replica yet: run 'convosync sync\(target.name.map { " --account \($0)" } ?? "")'"
            return report
        }
        do {
            var configuration = ReplicaConfiguration()
            configuration.readonly = true
            let replica = try Replica.openExisting(at: target.replicaPath, configuration: configuration)
            defer { try? replica.close() }
            if report.dialect == nil { report.dialect = replica.account?.dialect.rawValue }
            report.lastSuccess = try await SyncEngine.lastSuccess(of: replica)
            report.cursors = try await replica.syncStates().filter { $0.scope != SyncEngine.lastSuccessScope }
            report.outbox = try await replica.pendingOutbox()
        } catch let error as StoreError {
            if single { throw error }
            report.problem = CommandFailure(error).message
        }
        return report
    }

    /// The daemon's status file when a daemon is running: its process is alive and it wrote the
    /// file in the last ``daemonFreshness`` seconds.
    static func freshDaemonStatus(_ file: URL, now: Date = Date()) -> DaemonStatus? {
        guard let status = DaemonStatus.read(from: file), let updated = Timestamp.parse(status.updatedAt),
            now.timeIntervalSince(updated) < daemonFreshness, status.pid > 0
        else { return nil }
        guard kill(status.pid, 0) == 0 || errno == EPERM else { return nil }
        return status
    }
}

/// What `status` says about one account.
private struct AccountReport {
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
