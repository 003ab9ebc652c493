import ConvoEmulator
import ConvoModel
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Sync under faults", .serialized)
struct FaultToleranceTests {
    enum Fault: String, CaseIterable, CustomTestStringConvertible {
        case serverErrors, rateLimits, cutBodies, latency

        var testDescription: String { rawValue }

        func apply(to faults: inout FaultConfiguration) {
            switch self {
            case .serverErrors: faults.serverErrorRate = 0.2
            case .rateLimits:
                faults.rateLimitRate = 0.2
                faults.retryAfterSeconds = 0
            case .cutBodies: faults.cutBodyRate = 0.2
            case .latency: faults.latency = .milliseconds(15)
            }
        }
    }

    static let dialects: [Dialect] = [.agentflow, .v2, .knowrithm, .turns]

    @Test(
        "a sync through 5xx, 429, cut bodies or latency retries and lands equal to the remote, nothing twice",
        arguments: dialects, Fault.allCases)
    func convergesThroughFaults(dialect: Dialect, fault: Fault) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 20, turns: 3, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    var faults = FaultConfiguration()
                    faults.seed = UInt64(dialect.rawValue.count * 31 + fault.rawValue.count)
                    fault.apply(to: &faults)
                    emulator.emulator.faults.update(faults)

                    try await harness.engine.sync()
                    let ids = try await harness.comparison().remote.map(\.id)
                    try await harness.admin.append(to: ids[0], content: "Anything new?")
                    try await harness.admin.hardDelete(ids[1])
                    try await harness.engine.sync()

                    emulator.emulator.faults.update(FaultConfiguration())
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                    let turnIDs = replica.flatMap { $0.turns.map(\.id) }
                    #expect(Set(turnIDs).count == turnIDs.count)
                }
            }
        }
    }

    @Test("inserts and deletes racing a pass never purge a live conversation, and a quiet pass converges", arguments: dialects)
    func churnNeverPurgesTheLiving(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 30, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    var faults = FaultConfiguration()
                    faults.churnEvery = 2
                    emulator.emulator.faults.update(faults)
                    var unchecked = 0
                    for _ in 0..<3 {
                        let report = try await harness.engine.sync()
                        if !report.pull.deletionsChecked { unchecked += 1 }
                        // Whatever the replica purged must be gone from the remote too.
                        let (replica, remote) = try await harness.comparison()
                        let remoteIDs = Set(remote.map(\.id))
                        let purged = try await purgedIDs(harness.replica)
                        #expect(purged.isDisjoint(with: remoteIDs), "purged while still served: \(purged.intersection(remoteIDs))")
                        _ = replica
                    }
                    if dialect == .turns {
                        // Offset pages shift under churn: the engine must notice and not sweep.
                        #expect(unchecked > 0)
                    }
                    emulator.emulator.faults.update(FaultConfiguration())
                    try await harness.engine.sync()
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    /// The remote ids the replica holds as purged tombstones.
    private func purgedIDs(_ replica: Replica) async throws -> Set<String> {
        var query = ConversationQuery(limit: 1000)
        query.filters.includeDeleted = true
        let visible = Set(try await replica.conversations(query).items.compactMap(\.remoteID))
        let owners = try await replica.conversationOwners()
        return Set(owners.keys).subtracting(visible)
    }
}
