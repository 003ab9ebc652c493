import ArgumentParser
import ConvoAccounts
import ConvoStore
import ConvoSync
import Foundation


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
            let daemon = DaemonStatus.running(at: paths.statusFile, freshness: Self.daemonFreshness)
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
        let saved = SavedAccounts(paths: paths)
        if let account {
            let entry = try saved.entry(account)
            return [Target(name: account, dialect: entry.dialect, replicaPath: saved.replicaPath(of: account, entry))]
        }
        let accounts = try AccountsFile.load(from: paths.accountsFile).accounts
        return accounts.keys.sorted().compactMap { name in
            guard let entry = accounts[name] else { return nil }
            return Target(name: name, dialect: entry.dialect, replicaPath: saved.replicaPath(of: name, entry))
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
            let replica = try Replica.openForReading(at: target.replicaPath)
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
}
