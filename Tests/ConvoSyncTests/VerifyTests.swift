import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import GRDB
import Testing
import TestSupport

// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Verifying a replica against the remote", .serialized)
struct VerifyTests {
    static let dialects: [Dialect] = [.agentflow, .v2, .knowrithm, .turns]

    @Test("a converged replica verifies equal, with both sides' totals", arguments: dialects)
    func convergedReplicaVerifiesEqual(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 15, turns: 3, configure: { $0.adminEnabled = true }) { emulator in
                // Small pages: offset pages overlap by one item, which must count once.
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 3
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    if dialect == .knowrithm {
                        let ids = try await harness.comparison().remote.map(\.id)
                        try await harness.admin.softDelete(ids[0])
                    }
                    try await harness.engine.sync()
                    let report = try await harness.engine.verify()
                    #expect(report.isEqual, "\(report.findings)")
                    let (_, remote) = try await harness.comparison()
                    #expect(report.remoteConversations == remote.count)
                    #expect(report.localConversations == remote.count)
                    #expect(report.listingsHeldStill)
                }
            }
        }
    }

    @Test(
        "after a row is deleted, a text changed and a conversation added by hand, verify names exactly those three and repair makes it equal",
        arguments: dialects)
    func handEditsAreFoundAndRepaired(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let ids = try await harness.comparison().replica.map(\.id)
                    let removed = ids[0]
                    let changed = ids[1]
                    let agent = emulator.addresses.agentIDs[0]
                    let path = folder.appendingPathComponent("\(dialect).convosync").path
                    let changedTurn = try editByHand(path) { db in
                        try db.execute(sql: "DELETE FROM conversation WHERE remote_id = ?", arguments: [removed])
                        let fragment = try Row.fetchOne(
                            db,
                            sql: """
                                SELECT f.id, t.remote_id FROM fragment f JOIN turn t ON t.id = f.turn_id
                                JOIN conversation c ON c.id = t.conversation_id WHERE c.remote_id = ? ORDER BY t.ordinal LIMIT 1
                                """, arguments: [changed])
                        let row = try #require(fragment)
                        try db.execute(sql: "UPDATE fragment SET content = 'Tampered with by hand' WHERE id = ?", arguments: [row["id"] as Int64])
                        try db.execute(
                            sql: "INSERT INTO conversation (remote_id, agent_id, title) VALUES ('conv_added_by_hand', ?, 'Added by hand')",
                            arguments: [agent])
                        return row["remote_id"] as String
                    }

                    let report = try await harness.engine.verify()
                    #expect(!report.isEqual)
                    let found = report.differences.map { "\($0.kind.rawValue) \($0.conversationID)" }.sorted()
                    #expect(found == ["differs \(changed)", "extra_locally conv_added_by_hand", "missing_locally \(removed)"].sorted())
                    #expect(report.differences.first { $0.kind == .differs }?.fields == ["turn \(changedTurn).text"])
                    let extra = try #require(report.differences.first { $0.kind == .extraLocally })
                    #expect(extra.confirmedGone == (dialect == .turns ? nil : true))
                    #expect(!extra.unconfirmed)

                    let repaired = try await harness.engine.verify(repair: true)
                    #expect(repaired.repaired == 3)
                    #expect(repaired.isEqual, "\(repaired.findings)")
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("queued local writes are shown as pending, not as differences")
    func queuedWritesArePending() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 5, turns: 2) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().replica.first?.id)
                    _ = try await harness.replica.enqueue(
                        .rename(title: "Renamed offline"), in: .remote(id), idempotencyKey: "verify-pending-1", at: Date())
                    let report = try await harness.engine.verify()
                    #expect(report.isEqual, "\(report.findings)")
                    #expect(report.pendingWrites == 1)
                    #expect(report.findings == [VerifyFinding(.pending, conversationID: id)])
                }
            }
        }
    }

    /// Opens the replica file with plain GRDB, as another program would, and edits it.
    private func editByHand<T>(_ path: String, _ edit: (Database) throws -> T) throws -> T {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.write(edit)
    }
}

/// verify under a remote that moves or lies: it may say it cannot confirm, never that the
/// replica holds something extra while the remote still serves it.
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Verifying against a remote that moves or lies", .serialized)
struct VerifyUnderLiesTests {
    enum Condition: String, CaseIterable, CustomTestStringConvertible {
        case churn, emptyPages, shortPages, movingTotal, hostileIDs, cursorGeneration, cursorCycle, absurdTotal, missingRoutes

        var testDescription: String { rawValue }

        func apply(to faults: inout FaultConfiguration) {
            switch self {
            case .churn: faults.churnEvery = 2
            case .emptyPages: faults.emptyPageEvery = 2
            case .shortPages: faults.shortPageEvery = 2
            case .movingTotal: faults.movingTotal = true
            case .hostileIDs: faults.hostileIDs = true
            case .cursorGeneration: faults.cursorGeneration = 1
            case .cursorCycle: faults.cursorCycle = true
            case .absurdTotal: faults.absurdTotal = true
            // Every optional route but the agent listing, which these accounts do not need.
            case .missingRoutes: faults.missingRoutes = FaultConfiguration.optionalRouteNames.subtracting(["agents"])
            }
        }

        /// Whether verify may end with a typed protocol violation instead of a report: a walk
        /// that cycles, or a total no account holds, proves nothing either way.
        var mayRefuseTheListing: Bool { self == .cursorCycle || self == .absurdTotal }
    }

    @Test("verify never calls a conversation extra while the remote still serves it", arguments: VerifyTests.dialects, Condition.allCases)
    func neverExtraWhileServed(dialect: Dialect, condition: Condition) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 16, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 4
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    try await harness.engine.sync()
                    var faults = FaultConfiguration()
                    condition.apply(to: &faults)
                    emulator.emulator.faults.update(faults)
                    let verified: VerifyReport
                    do {
                        verified = try await harness.engine.verify()
                    } catch let error as SyncError where condition.mayRefuseTheListing && error.code == .protocolViolation {
                        emulator.emulator.faults.update(FaultConfiguration())
                        // Refused, not misreported; and the replica is as it was.
                        #expect(try await harness.engine.verify().isEqual)
                        return
                    }
                    let report = verified
                    emulator.emulator.faults.update(FaultConfiguration())
                    let served = Set(try await harness.comparison().remote.map(\.id))
                    for finding in report.findings where finding.kind == .extraLocally {
                        #expect(!served.contains(finding.conversationID) || finding.unconfirmed, "called extra while served: \(finding)")
                    }
                    let confirmedExtra = report.findings.filter { $0.kind == .extraLocally && !$0.unconfirmed }
                    #expect(Set(confirmedExtra.map(\.conversationID)).isDisjoint(with: served))
                }
            }
        }
    }
}
