import ConvoEmulator
import ConvoModel
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

@Suite("Sync converges with the remote")
struct ConvergenceTests {
    static let dialects: [Dialect] = [.agentflow, .v2, .knowrithm, .turns]

    @Test("a first sync makes the replica equal to the remote, and a second after changes converges again", arguments: dialects)
    func convergesAfterChanges(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 24, turns: 3, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    let first = try await harness.engine.sync()
                    var (replica, remote) = try await harness.comparison()
                    #expect(first.pull.listed >= remote.filter { !$0.deleted }.count)
                    #expect(remote.count >= 20)
                    #expect(replica == remote)

                    // The remote changes: a create, appends, a rename, a soft delete, a
                    // restore, a hard delete.
                    let admin = harness.admin
                    let ids = remote.map(\.id)
                    let agent = try #require(emulator.addresses.agentIDs.first)
                    let created = try await admin.createConversation(agentID: agent, title: "Quarterly renewal")
                    try await admin.append(to: created, content: "Draft the renewal letter")
                    try await admin.append(to: ids[0], content: "One more question")
                    try await admin.rename(ids[1], to: "Renamed upstream")
                    try await admin.softDelete(ids[2])
                    try await admin.softDelete(ids[3])
                    try await admin.restore(ids[3])
                    try await admin.hardDelete(ids[4])

                    let second = try await harness.engine.sync()
                    #expect(second.pull.deletionsChecked)
                    (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                    #expect(replica.contains { $0.id == created })
                    #expect(!replica.contains { $0.id == ids[4] })
                }
            }
        }
    }

    @Test("a sync with nothing changed rewrites nothing and reads no turns", arguments: [Dialect.agentflow, .knowrithm, .turns])
    func idleSyncReadsNoTurns(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 20, turns: 2) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let again = try await harness.engine.sync()
                    #expect(again.pull.read == 0)
                    #expect(again.pull.purged == 0)
                }
            }
        }
    }
}
