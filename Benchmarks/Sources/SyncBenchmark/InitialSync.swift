import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import StoreWorkload
import Logging

/// The initial sync and its two references, each run in its own process by the script.
enum InitialSync {
    /// A first `SyncEngine.sync()` into a fresh replica: time, pages, requests, fragments,
    /// CPU and peak memory; then, outside the measured span, a JSONL export for reference (b).
    static func sync(
        _ dialect: Dialect, remote: Remote, replicaPath: String, exportPath: String?, configuration: SyncConfiguration,
        logger: Logger
    ) async throws {
        let account = try remote.account(dialect)
        let replica = try Replica.open(at: replicaPath, account: try remote.binding(dialect))
        let connection = RemoteAPIFactory.make(account: account, logger: logger)
        let engine = SyncEngine(
            replica: replica, api: connection.api, agentIDs: account.agentIDs, transport: connection.transport,
            configuration: configuration, logger: logger)
        let cpu = CPUSpan(serverPID: remote.serverPID)
        let (report, seconds) = try await Measure.timed { try await engine.sync() }
        let peak = Measure.peakResidentMiB
        cpu.report("sync")
        let traffic = connection.transport.traffic
        try await connection.shutdown()

        let counts = try ReplicaCounts(path: replicaPath)
        let fragments = try counts.count("SELECT count(*) FROM fragment")
        let turns = try counts.count("SELECT count(*) FROM turn")
        let conversations = try counts.count("SELECT count(*) FROM conversation")
        counts.close()
        Measure.report("sync.seconds", seconds, "s")
        Measure.report("sync.fragments_per_s", Double(fragments) / seconds, "fragments/s")
        Measure.report("sync.fragments", Double(fragments), "fragments")
        Measure.report("sync.turns", Double(turns), "turns")
        Measure.report("sync.conversations", Double(conversations), "conversations")
        Measure.report("sync.pages", Double(report.pull.pages), "pages")
        Measure.report("sync.listed", Double(report.pull.listed), "conversations")
        Measure.report("sync.read", Double(report.pull.read), "conversations")
        Measure.report("sync.requests", Double(traffic.requests), "requests")
        Measure.report("sync.mb", Double(traffic.receivedBytes) / 1_048_576, "MB")
        Measure.report("sync.peak_rss", peak, "MiB")

        if let exportPath {
            try Workload.export(replica, toFile: exportPath)
        }
        try replica.close()
    }

    /// Reference (a): the same requests as bytes, no decoding, the engine's read concurrency.
    static func fetch(_ dialect: Dialect, remote: Remote, configuration: SyncConfiguration, logger: Logger) async throws {
        let account = try remote.account(dialect)
        let connection = RemoteAPIFactory.make(account: account, logger: logger)
        let plan = try await FetchPlan.make(api: connection.api, account: account, pageSize: configuration.pageSize)
        let before = connection.transport.traffic.requests
        let cpu = CPUSpan(serverPID: remote.serverPID)
        let ((requests, bytes), seconds) = try await Measure.timed {
            try await plan.run(
                transport: connection.transport, concurrentReads: configuration.concurrentReads,
                pageSize: configuration.pageSize)
        }
        cpu.report("fetch")
        let counted = connection.transport.traffic.requests - before
        try await connection.shutdown()
        guard counted == requests else { throw BenchmarkFailure("the transport counted \(counted) requests, the plan \(requests)") }
        Measure.report("fetch.seconds", seconds, "s")
        Measure.report("fetch.requests", Double(requests), "requests")
        Measure.report("fetch.mb", Double(bytes) / 1_048_576, "MB")
    }

    /// Reference (b): the synced rows (the export of the synced replica) imported into a fresh
    /// replica with `importJSONL`.
    static func importRows(from jsonlPath: String, into replicaPath: String, serverPID: Int32?) async throws {
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: jsonlPath))
        let replica = try Replica.openForImport(at: replicaPath)
        let cpu = CPUSpan(serverPID: serverPID)
        let (report, seconds) = try await Measure.timed { try await replica.importJSONL(from: input) }
        let peak = Measure.peakResidentMiB
        cpu.report("import")
        try replica.close()
        guard report.rejectedCount == 0 else { throw BenchmarkFailure("the import rejected \(report.rejectedCount) lines") }
        let counts = try ReplicaCounts(path: replicaPath)
        let fragments = try counts.count("SELECT count(*) FROM fragment")
        counts.close()
        Measure.report("import.seconds", seconds, "s")
        Measure.report("import.fragments_per_s", Double(fragments) / seconds, "fragments/s")
        Measure.report("import.conversations", Double(report.inserted + report.updated + report.unchanged), "conversations")
        Measure.report("import.peak_rss", peak, "MiB")
    }
}
