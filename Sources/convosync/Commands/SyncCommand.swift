import ArgumentParser
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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
            let trap = SignalTrap([SIGINT, SIGTERM])
            if resolved.usesDataFolder { try makeDataFolder(for: resolved.replicaPath) }
            let existed = FileManager.default.fileExists(atPath: resolved.replicaPath)
            let replica = try Replica.open(at: resolved.replicaPath, account: resolved.binding)
            let logger = verbose
                ? Logger(label: "convosync", factory: { StreamLogHandler.standardError(label: $0) })
                : Logger(label: "convosync", factory: { _ in SwiftLogNoOpLogHandler() })
            let connection = RemoteAPIFactory.make(
                account: resolved.remote, configuration: Self.remoteConfiguration, logger: logger)
            let engine = SyncEngine(
                replica: replica, api: connection.api, agentIDs: resolved.remote.agentIDs,
                transport: connection.transport, configuration: Self.syncConfiguration, logger: logger)
            let (result, signal) = await Self.sync(
                engine, transport: connection.transport, signals: trap.signals, environment: environment)
            withExtendedLifetime(trap) {}
            try? await connection.shutdown()
            switch result {
            case .success(let report):
                try printSummary(report, resolved: resolved, traffic: connection.transport.traffic)
            case .failure(let error):
                if !existed { await Self.removeIfEmpty(replica) }
                if let signal {
                    let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
                    throw CommandFailure(
                        "Interrupted by \(name); the replica is consistent and the next sync resumes where this one stopped.",
                        exitCode: 128 + signal)
                }
                throw CommandFailure(error, remote: resolved)
            }
        }
    }

    /// A person waits for this command: an unreachable remote should be reported in seconds,
    /// not minutes. (The HTTP client retries a refused connection until the connect timeout,
    /// and the engine retries each request on top.)
    static var remoteConfiguration: RemoteConfiguration {
        var configuration = RemoteConfiguration()
        configuration.timeouts.connect = .seconds(5)
        return configuration
    }

    /// Four attempts per request (three retries with backoff, honouring `Retry-After`).
    static var syncConfiguration: SyncConfiguration {
        var configuration = SyncConfiguration()
        configuration.retry.attempts = 4
        return configuration
    }

    private enum Event: Sendable {
        case synced(Result<SyncReport, SyncError>)
        case signalled(Int32)
        case ended
    }

    /// Runs one sync beside its progress display and the signal trap; a signal cancels the
    /// sync, which stops at its next commit boundary.
    private static func sync(
        _ engine: SyncEngine, transport: HTTPTransport, signals: AsyncStream<Int32>, environment: [String: String]
    ) async -> (Result<SyncReport, SyncError>, Int32?) {
        await withTaskGroup(of: Event.self) { group in
            let updates = engine.statusUpdates()
            group.addTask {
                do {
                    return .synced(.success(try await engine.sync()))
                } catch let error as SyncError {
                    return .synced(.failure(error))
                } catch {
                    return .synced(.failure(SyncError(.remote, "the sync failed: \(type(of: error))")))
                }
            }
            group.addTask {
                var progress = SyncProgress(transport: transport, environment: environment)
                for await status in updates { progress.show(status) }
                progress.finish()
                return .ended
            }
            group.addTask {
                for await number in signals { return .signalled(number) }
                return .ended
            }
            var result: Result<SyncReport, SyncError>?
            var signal: Int32?
            while let event = await group.next() {
                switch event {
                case .synced(let outcome):
                    result = outcome
                    group.cancelAll()
                case .signalled(let number):
                    signal = number
                    group.cancelAll()
                case .ended:
                    break
                }
            }
            return (result ?? .failure(SyncError(.cancelled, "the sync was cancelled")), signal)
        }
    }

    /// `$XDG_DATA_HOME/convosync/`, mode 0700: replicas hold people's conversations.
    private func makeDataFolder(for replicaPath: String) throws {
        let folder = (replicaPath as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw CommandFailure("Cannot create the folder '\(folder)' for the replica; check its parent's permissions.", exitCode: SysExits.cannotCreate)
        }
    }

    /// Removes a replica this run created when the sync failed before anything landed, so a
    /// mistyped URL does not leave a file bound to the wrong account.
    private static func removeIfEmpty(_ replica: Replica) async {
        guard let held = try? await replica.remoteConversationCount(agentID: nil, includingDeleted: true), held == 0,
            (try? replica.close()) != nil
        else { return }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: replica.path + suffix)
        }
    }

    private func printSummary(
        _ report: SyncReport, resolved: ResolvedAccount, traffic: (requests: Int, receivedBytes: Int)
    ) throws {
        let summary = SyncSummary(
            account: resolved.name, dialect: resolved.remote.dialect.rawValue, replica: resolved.replicaPath,
            pages: report.pull.pages, listed: report.pull.listed, read: report.pull.read, purged: report.pull.purged,
            pushed: report.pushed, failedWrites: report.failedWrites,
            deletionsChecked: report.pull.deletionsChecked, refused: report.pull.refused, requests: traffic.requests,
            receivedBytes: traffic.receivedBytes,
            finishedAt: Timestamp.format(report.finishedAt))
        if json {
            try printJSON(summary)
            return
        }
        var line = "In step with \(resolved.label): \(report.pull.listed) conversations listed in \(report.pull.pages) "
            + "\(report.pull.pages == 1 ? "page" : "pages"), \(report.pull.read) read, \(report.pull.purged) removed "
            + "(\(traffic.requests) requests, \(SyncProgress.byteCount(traffic.receivedBytes)) received)."
        if report.pushed > 0 {
            line += " Sent \(report.pushed) local \(report.pushed == 1 ? "write" : "writes")."
        }
        if report.failedWrites > 0 {
            line += " The remote refused \(report.failedWrites) local \(report.failedWrites == 1 ? "write" : "writes") for good; they are kept in the outbox with the reason."
        }
        if report.pull.refused > 0 {
            line += " Skipped \(report.pull.refused) remote \(report.pull.refused == 1 ? "item" : "items") whose ids cannot be stored."
        }
        if !report.pull.deletionsChecked {
            line += " Deletions were not checked: the remote kept changing through \(report.pull.fullPasses) \(report.pull.fullPasses == 1 ? "pass" : "passes"); the next sync checks them."
        }
        print(line)
    }
}

/// `sync --json`.
private struct SyncSummary: Encodable {
    let account: String?
    let dialect: String
    let replica: String
    let pages: Int
    let listed: Int
    let read: Int
    let purged: Int
    let pushed: Int
    let failedWrites: Int
    let deletionsChecked: Bool
    let refused: Int
    let requests: Int
    let receivedBytes: Int
    let finishedAt: String

    enum CodingKeys: String, CodingKey {
        case account, dialect, replica, pages, listed, read, purged, pushed, refused, requests
        case failedWrites = "failed_writes"
        case deletionsChecked = "deletions_checked"
        case receivedBytes = "received_bytes"
        case finishedAt = "finished_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(account, forKey: .account)  // null when no account was named
        try container.encode(dialect, forKey: .dialect)
        try container.encode(replica, forKey: .replica)
        try container.encode(pages, forKey: .pages)
        try container.encode(listed, forKey: .listed)
        try container.encode(read, forKey: .read)
        try container.encode(purged, forKey: .purged)
        try container.encode(pushed, forKey: .pushed)
        try container.encode(failedWrites, forKey: .failedWrites)
        try container.encode(deletionsChecked, forKey: .deletionsChecked)
        try container.encode(refused, forKey: .refused)
        try container.encode(requests, forKey: .requests)
        try container.encode(receivedBytes, forKey: .receivedBytes)
        try container.encode(finishedAt, forKey: .finishedAt)
    }
}
