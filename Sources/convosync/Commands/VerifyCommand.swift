import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

/// `convosync verify`: is the replica exactly what the remote serves?
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check that a replica holds exactly what its remote serves.",
        discussion: """
            Reads the remote afresh, every page of every listing with the same paging and \
            retries as a sync, without writing the replica, and compares it conversation by \
            conversation: ids, titles, metadata, deleted state, turn ids and order, and each \
            turn's role, state and text. It lists what is missing locally, what is extra \
            locally (and whether the remote says conversation_not_found for it), and what \
            differs, with the field names. Conversations with local writes still queued are \
            shown as pending, not as differences. When a listing moved while it was read, \
            findings it could explain are marked unconfirmed.

            --repair fetches again what is missing or differs and removes what the remote \
            confirms gone, as a sync would, then verifies once more.

            Exit status: 0 equal; 1 they differ; otherwise as `convosync sync`.

            Example:
              convosync verify --account work
              convosync verify --account work --repair --json
            """
    )

    @OptionGroup var account: AccountOptions

    @Flag(name: .long, help: "Fetch what is missing or differs, remove what the remote confirms gone, and verify again.")
    var repair = false

    @Flag(name: .long, help: "Print the report as one JSON document, for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let environment = ProcessInfo.processInfo.environment
            let resolved = try account.resolve(environment: environment)
            guard FileManager.default.fileExists(atPath: resolved.replicaPath) else {
                throw CommandFailure(
                    "No replica at '\(resolved.replicaPath)'; run 'convosync sync' first.", exitCode: SysExits.noInput)
            }
            let report: VerifyReport
            do {
                report = try await SyncSession.with(
                    replicaAt: resolved.replicaPath, account: resolved.remote,
                    configuration: SessionDefaults.sync, remote: SessionDefaults.remote
                ) { session in
                    try await EngineProgress.showing(session.engine, environment: environment) {
                        try await session.engine.verify(repair: repair)
                    }
                }
            } catch let error as SyncError {
                throw CommandFailure(error, remote: resolved)
            }
            if json {
                try printJSON(VerifyDocument(report, account: resolved.name))
            } else {
                print(Self.describe(report, label: resolved.label))
            }
            if !report.isEqual { throw ExitCode(1) }
        }
    }
}
