import ArgumentParser
import ConvoAccounts
import ConvoSync
import Foundation
import Logging

/// `convosync daemon`: keeps every configured account in step until stopped.
struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Keep every account's replica in step, in the background.",
        discussion: """
            Runs each account saved with 'convosync accounts add' (or only those named with \
            --account): pulls every --interval seconds, pushes local writes as soon as they are \
            queued, backs off with jitter while a remote is unreachable or rate limiting, and \
            follows the conversations named with --watch live where the dialect streams them. \
            Each account uses its own stored credential: CONVOSYNC_API_KEY and \
            CONVOSYNC_API_SECRET are never applied to saved accounts.

            SIGTERM or SIGINT stops it cleanly: the transaction in flight lands, streams close, \
            exit 0. SIGHUP reloads the account list and credentials and restarts the engines \
            (a list that fails to load is logged and the previous one kept). Logs go to \
            standard error (swift-log, --log-level). The status file (default \
            $XDG_STATE_HOME/convosync/status.json, replaced atomically, mode 0600 in a 0700 \
            folder) says per account the \
            phase, last successful sync, lag, outbox depth and last error; 'convosync status' \
            reads it. With --verify-every, each replica is also verified against its remote \
            on that schedule (as 'convosync verify' does, writing nothing) and the status file \
            and 'convosync status' show the last result.

            Exit status: 0 after a signal-driven stop; 78 no accounts, an unknown account or a \
            missing credential; 65 a replica of another account; 75 a replica locked by another \
            process.

            Example:
              convosync daemon --interval 30 --log-level info
              systemctl --user start convosync    # see the README for the unit file
            """
    )

    @Option(name: .customLong("account"), help: ArgumentHelp("An account to run (repeatable; default: every saved account).", valueName: "name"))
    var accounts: [String] = []

    @Option(help: ArgumentHelp("Seconds between two pulls of an account (pushes do not wait).", valueName: "seconds"))
    var interval = 60

    @Option(name: .customLong("watch"), help: ArgumentHelp(
        "A conversation to follow live (repeatable; dialects with a watch stream).", valueName: "id"))
    var watched: [String] = []

    @Option(name: .customLong("verify-every"), help: ArgumentHelp(
        "Seconds between two verifications of each replica against its remote (default: never).", valueName: "seconds"))
    var verifyEvery: Int?

    @Option(name: .customLong("status-file"), help: ArgumentHelp(
        "Where to write the status (default: $XDG_STATE_HOME/convosync/status.json).", valueName: "file"))
    var statusFile: String?

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "trace, debug, info, notice, warning, error or critical.", valueName: "level"))
    var logLevel: Logger.Level = .info

    func validate() throws {
        guard (1...86_400).contains(interval) else { throw ValidationError("--interval must be between 1 and 86400 seconds.") }
        if let verifyEvery, !(1...2_592_000).contains(verifyEvery) {
            throw ValidationError("--verify-every must be between 1 and 2592000 seconds (30 days).")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let environment = ProcessInfo.processInfo.environment
            let (names, watched, level) = (accounts, self.watched, logLevel)
            let logger = Logger(label: "convosync.daemon") { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
            var configuration = AccountSupervisor.Configuration()
            configuration.sync.pullInterval = .seconds(interval)
            configuration.statusFile = try statusFile.map(URL.init(fileURLWithPath:)) ?? XDGPaths(environment: environment).statusFile
            configuration.ownsStatusFolder = statusFile == nil
            configuration.verifyEvery = verifyEvery.map { .seconds($0) }
            configuration.gracefulShutdownSignals = [.sigterm, .sigint]
            configuration.reloadSignal = .sighup
            let supervisor = AccountSupervisor(configuration: configuration, logger: logger) {
                try SupervisedAccount.saved(names: names, watching: watched, environment: environment)
            }
            do {
                try await supervisor.run()
            } catch let error as SyncError {
                throw CommandFailure(error, remote: nil)
            }
            logger.info("daemon stopped")
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
