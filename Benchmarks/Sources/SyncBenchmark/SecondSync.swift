import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import Logging

/// The second sync of an already-synced replica: idle (nothing changed), after 10 appended
/// exchanges, and after 10 renames, all made through the emulator's admin routes as another
/// client would. Each kind is repeated `rounds` times on other conversations; medians of
/// time, requests and conversations read are printed, and every change is checked to have
/// reached the replica. The engine is new in this process, so no periodic full pass falls in
/// the rounds unless the dialect always pulls full passes.
enum SecondSync {
    static let changesPerRound = 10

    static func run(_ dialect: Dialect, remote: Remote, replicaPath: String, rounds: Int, logger: Logger) async throws {
        let account = try remote.account(dialect)
        let replica = try Replica.open(at: replicaPath, account: try remote.binding(dialect))
        let connection = RemoteAPIFactory.make(account: account, logger: logger)
        let adminTransport = try remote.adminTransport(logger: logger)
        let admin = Admin(transport: adminTransport, tenant: remote.defaults.tenant)
        let engine = SyncEngine(
            replica: replica, api: connection.api, agentIDs: account.agentIDs, transport: connection.transport,
            logger: logger)

        let counts = try ReplicaCounts(path: replicaPath)
        let live = try counts.liveRemoteIDs()
        counts.close()
        let needed = rounds * 2 * changesPerRound
        guard live.count >= needed else { throw BenchmarkFailure("the replica holds \(live.count) conversations, \(needed) needed") }
        // Spread the changed conversations over the whole id range.
        let chosen = (0..<needed).map { live[$0 * live.count / needed] }

        var samples: [String: [String: [Double]]] = [:]
        func measure(_ kind: String) async throws {
            let before = connection.transport.traffic.requests
            let (report, seconds) = try await Measure.timed { try await engine.sync() }
            let requests = connection.transport.traffic.requests - before
            samples[kind, default: [:]]["seconds", default: []].append(seconds)
            samples[kind, default: [:]]["requests", default: []].append(Double(requests))
            samples[kind, default: [:]]["read", default: []].append(Double(report.pull.read))
            samples[kind, default: [:]]["pages", default: []].append(Double(report.pull.pages))
            samples[kind, default: [:]]["full_passes", default: []].append(Double(report.pull.fullPasses))
        }

        // Catch up first, unmeasured: the same emulator may have changed since this replica's
        // initial sync (another dialect's rounds).
        _ = try await engine.sync()

        var verified = 0
        for round in 0..<rounds {
            try await measure("idle")

            let appendIDs = chosen[(round * 2) * changesPerRound..<(round * 2 + 1) * changesPerRound]
            var appended: [(conversation: String, assistant: String)] = []
            for id in appendIDs {
                let (_, assistant) = try await admin.append(to: id, content: "Follow-up \(round) on the renewal quote")
                appended.append((id, assistant))
            }
            try await measure("appends")
            for (id, assistant) in appended {
                let turns = try await replica.conversation(id: id)?.turns ?? []
                if turns.contains(where: { $0.id == assistant }) { verified += 1 }
            }

            let renameIDs = chosen[(round * 2 + 1) * changesPerRound..<(round * 2 + 2) * changesPerRound]
            for id in renameIDs { try await admin.rename(id, to: "Renamed in round \(round)") }
            try await measure("renames")
            for id in renameIDs {
                let title = try await replica.conversation(id: id)?.summary.title
                if title == "Renamed in round \(round)" { verified += 1 }
            }
        }
        try await connection.shutdown()
        try await adminTransport.shutdown()
        try replica.close()

        for kind in ["idle", "appends", "renames"] {
            for figure in ["seconds", "requests", "read", "pages", "full_passes"] {
                let values = samples[kind]?[figure] ?? []
                Measure.report("second.\(kind).\(figure)", Measure.quantile(values, 0.5), figure == "seconds" ? "s" : "count")
            }
        }
        Measure.report("second.changes_verified", Double(verified), "of \(needed)")
        guard verified == needed else { throw BenchmarkFailure("\(needed - verified) changes did not reach the replica") }
    }
}
