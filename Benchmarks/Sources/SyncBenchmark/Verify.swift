import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import Logging

/// `SyncEngine.verify()` on a synced replica, in its own process, with the figures the
/// initial sync reports (issue "`convosync verify`": peak memory within 20% of a sync's, time
/// within 1.3× a full sync's). The script hands it the replica the same run's `sync` process
/// just wrote, so this process starts as `convosync verify` does: an engine new to a replica
/// already on disk. Given a replica that holds no conversation, it first syncs it (untimed)
/// and then resets the peak-memory reading, so that the peak printed is the verification's.
enum VerifyRun {
    static func run(_ dialect: Dialect, remote: Remote, replicaPath: String, configuration: SyncConfiguration, logger: Logger)
        async throws
    {
        let account = try remote.account(dialect)
        let replica = try Replica.open(at: replicaPath, account: try remote.binding(dialect))
        let connection = RemoteAPIFactory.make(account: account, logger: logger)
        let engine = SyncEngine(
            replica: replica, api: connection.api, agentIDs: account.agentIDs, transport: connection.transport,
            configuration: configuration, logger: logger)

        let counts = try ReplicaCounts(path: replicaPath)
        let held = try counts.count("SELECT count(*) FROM conversation")
        counts.close()
        var synced = 0.0
        if held == 0 {
            _ = try await engine.sync()
            synced = 1
            guard resetPeakResident() else {
                throw BenchmarkFailure("cannot reset VmHWM after the untimed sync: give verify a synced replica")
            }
        }

        let before = connection.transport.traffic
        let cpu = CPUSpan(serverPID: remote.serverPID)
        let (report, seconds) = try await Measure.timed { try await engine.verify() }
        let peak = Measure.peakResidentMiB
        cpu.report("verify")
        let after = connection.transport.traffic
        try await connection.shutdown()
        try replica.close()

        let differences = report.differences
        Measure.report("verify.seconds", seconds, "s")
        Measure.report("verify.requests", Double(after.requests - before.requests), "requests")
        Measure.report("verify.mb", Double(after.receivedBytes - before.receivedBytes) / 1_048_576, "MB")
        Measure.report("verify.peak_rss", peak, "MiB")
        Measure.report("verify.remote_conversations", Double(report.remoteConversations), "conversations")
        Measure.report("verify.local_conversations", Double(report.localConversations), "conversations")
        Measure.report("verify.differences", Double(differences.count), "findings")
        Measure.report("verify.equal", report.isEqual ? 1 : 0, "bool")
        Measure.report("verify.held_still", report.listingsHeldStill ? 1 : 0, "bool")
        Measure.report("verify.synced_first", synced, "bool")
        for finding in differences.prefix(5) {
            Measure.line("# \(finding.kind.rawValue) \(finding.conversationID) \(finding.fields.joined(separator: ","))")
        }
    }

    /// Resets the process's peak resident set (`VmHWM`) to its current size, by writing 5 to
    /// `/proc/self/clear_refs` (Linux); false where that cannot be done.
    private static func resetPeakResident() -> Bool {
        #if os(Linux)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
        #else
        return false
        #endif
    }
}
