import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Logging
import Testing
import TestSupport

/// The reports that opened "a remote that lies never costs a user their replica", replayed
/// with `convosync` as a child process against the strict emulator.
@Suite("convosync against a remote that lies")
struct LyingRemoteCommandTests {
    @Test("turns: one empty page announcing the total leaves every conversation in place; sync exits 0 and says deletions were not checked")
    func emptyTurnsPageKeepsTheReplica() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.turns, in: folder, conversations: 45, admin: true) { synced in
                let before = try await exported(synced)
                #expect(before.count > 0)
                var faults = FaultConfiguration()
                faults.emptyPageEvery = 1
                synced.emulator.emulator.faults.update(faults)
                let sync = try await synced.run(["sync"])
                #expect(sync.status == 0, "\(sync.standardError)")
                #expect(sync.output.contains(" 0 removed"), "\(sync.output)")
                #expect(sync.output.contains("Deletions were not checked"), "\(sync.output)")
                #expect(try await exported(synced) == before)

                synced.emulator.emulator.faults.update(FaultConfiguration())
                let quiet = try await synced.run(["sync"])
                #expect(quiet.status == 0, "\(quiet.standardError)")
                #expect(try await exported(synced) == before)
            }
        }
    }

    @Test("knowrithm: a sync after a remote hard delete and after a send uses only documented routes and exits 0")
    func knowrithmSyncsOnTheDocumentedAPI() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.knowrithm, in: folder, conversations: 8, admin: true) { synced in
                let ids = try await synced.truth().filter { !$0.deleted }.map(\.id)
                try await EmulatorAdmin(synced.emulator).hardDelete(ids[0])
                let afterDelete = try await synced.run(["sync"])
                #expect(afterDelete.status == 0, "\(afterDelete.standardError)")

                let sent = try await synced.run(["send"], [ids[1], "Still documented?"])
                #expect(sent.status == 0, "\(sent.standardError)")
                let afterSend = try await synced.run(["sync"])
                #expect(afterSend.status == 0, "\(afterSend.standardError)")
                #expect(try await exported(synced) == (try await synced.truth()).map(\.id))
            }
        }
    }

    @Test("one sync after an interrupted pass, against a quiet remote, leaves export equal to the remote", arguments: Dialect.allCases)
    func oneSyncConvergesAfterAnInterruptedPass(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(dialect, in: folder, conversations: 40, admin: true) { synced in
                try await interruptAFullPass(synced)
                let gone = try #require(try await exported(synced).first)
                try await EmulatorAdmin(synced.emulator).hardDelete(gone)

                let sync = try await synced.run(["sync"])
                #expect(sync.status == 0, "\(sync.standardError)")
                #expect(!sync.output.contains("Deletions were not checked"), "\(sync.output)")
                let truth = try await synced.truth()
                let served = truth.filter { dialect == .knowrithm || !$0.deleted }.map(\.id)
                #expect(Set(try await exported(synced)) == Set(served))
                #expect(!(try await exported(synced)).contains(gone))
            }
        }
    }

    /// What `convosync export` lists, by id.
    private func exported(_ synced: SyncedReplica) async throws -> [String] {
        let export = try await Convosync.run(["export", "--db", synced.db])
        try #require(export.status == 0, "\(export.standardError)")
        return try SyncSetup.exportedIDs(export.output)
    }

    /// Leaves the replica with a full pass stopped half-way, as a killed process would: an
    /// engine in this process lists a few pages of a forced full pass and is cancelled.
    private func interruptAFullPass(_ synced: SyncedReplica) async throws {
        let replica = try Replica.openExisting(at: synced.db)
        let account = try EmulatorHarness.account(synced.dialect, on: synced.emulator)
        let connection = RemoteAPIFactory.make(account: account, logger: EmulatorHarness.logger)
        var configuration = SyncConfiguration()
        configuration.pageSize = 4
        configuration.fullPassEvery = 1
        let engine = SyncEngine(
            replica: replica, api: connection.api, agentIDs: account.agentIDs, configuration: configuration,
            logger: EmulatorHarness.logger)
        let updates = engine.statusUpdates()
        let sync = Task { try await engine.sync() }
        for await status in updates where status.pages >= 2 {
            sync.cancel()
            break
        }
        let result = await sync.result
        try await connection.shutdown()
        try replica.close()
        guard case .failure = result else {
            Issue.record("the pass finished before it could be interrupted")
            return
        }
    }
}
