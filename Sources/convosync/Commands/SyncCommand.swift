import ArgumentParser
import ConvoAccounts
import ConvoStore
import ConvoSync
import Foundation
import Logging

/// `convosync sync`: one pull that brings the replica in step with the remote.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Bring a replica in step with its remote, once.",
        discussion: """
            Sends the local writes waiting in the outbox, then pulls what changed since the \
            last sync into the replica (created if missing) and exits 0 once the replica is in step: `convosync export` then equals what the remote \
            serves. Progress shows on standard error (a bar on a terminal, plain lines \
            otherwise); the summary goes to standard output. Every page commits with its \
            position, so an interrupted or killed sync leaves a consistent replica and the next \
            one resumes where it stopped. A listing the remote could not prove complete (it \
            changed during the pass, a page came back short, or the pass resumed an \
            interrupted one) removes nothing and is listed again at once, up to three passes; \
            only a remote that keeps changing through all of them leaves deletions unchecked: \
            everything read is kept, exit is still 0 and the summary says so. Remote items \
            whose ids cannot be stored (empty, over 1 KiB, control characters) are skipped and \
            counted. Listing pages that cycle, or a total no account holds, end the sync with \
            76 and remove nothing. A \
            request that fails in a way that may pass (network, 5xx, 429) is tried four times \
            with backoff, honouring Retry-After, before the sync gives up.

            The credential is never a flag. With --remote it comes from CONVOSYNC_API_KEY (and \
            CONVOSYNC_API_SECRET for knowrithm), else the credentials file; a saved --account \
            uses its stored credential only, unless --credential-from-env says to use the \
            environment's for it. Flags win over the environment, which wins over the \
            account's saved settings.

            Exit status: 0 in step; 65 the file is not a replica or belongs to another account; \
            69 the remote cannot be reached; 74 I/O error (a full disk); 75 rate limited past \
            the retry budget, or the replica is locked by another process; 76 the remote \
            answered something unusable; 77 the credential was refused, or the TLS handshake failed \
            (a certificate not trusted, or no TLS on that port); 78 a missing or wrong \
            configuration (account, URL, dialect, credential). SIGINT or SIGTERM stops the sync \
            at a clean point and exits 130 or 143; a second signal stops at once.

            Example:
              CONVOSYNC_API_KEY=... convosync sync --db work.convosync --remote https://api.example.com/v1 --dialect agentflow
              convosync sync --account work
            """
    )

    @OptionGroup var account: AccountOptions

    @Flag(name: .long, help: "Print the summary as one JSON document, for scripts.")
    var json = false

    @Flag(name: .long, help: "Also log what the engine does on standard error.")
    var verbose = false

    func run() async throws {
        try await reportingFailures {
            let environment = ProcessInfo.processInfo.environment
            let resolved = try account.resolve(environment: environment)
            let existed = resolved.replicaExists
            let logger = verbose
                ? Logger(label: "convosync", factory: { StreamLogHandler.standardError(label: $0) })
                : Logger(label: "convosync", factory: { _ in SwiftLogNoOpLogHandler() })
            let session = try await resolved.openSession(
                configuration: SessionDefaults.sync, remote: SessionDefaults.remote, logger: logger)
            let (result, signal) = await Interruption.run {
                await Self.sync(session, environment: environment)
            }
            let traffic = session.traffic
            if case .success? = result, signal == nil {
                try? await session.close()
            } else if existed {
                try? await session.close()
            } else {
                await session.closeRemovingReplicaIfEmpty()  // a first sync that failed leaves no file
            }
            if let signal {
                throw CommandFailure(
                    "Interrupted by \(Interruption.name(signal)); the replica is consistent and the next sync resumes where this one stopped.",
                    exitCode: 128 + signal)
            }
            switch result {
            case .success(let report)?:
                try SyncSummary.print(report, resolved: resolved, traffic: traffic, json: json)
            case .failure(let error)?:
                throw CommandFailure(error, remote: resolved)
            case nil:
                throw CommandFailure(SyncError(.cancelled, "the sync was cancelled"), remote: resolved)
            }
        }
    }

    /// One sync beside its progress display; cancelled (by a signal), it stops at its next
    /// commit boundary.
    private static func sync(_ session: SyncSession, environment: [String: String]) async -> Result<SyncReport, SyncError> {
        do {
            return .success(try await EngineProgress.showing(
                session.engine, receivedBytes: { session.traffic.receivedBytes }, environment: environment
            ) { try await session.engine.sync() })
        } catch let error as SyncError {
            return .failure(error)
        } catch is CancellationError {
            return .failure(SyncError(.cancelled, "the sync was cancelled"))
        } catch {
            return .failure(SyncError(.remote, "the sync failed: \(type(of: error))"))
        }
    }
}
