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
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("convosync against a remote that lies", .serialized)
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

/// `convosync sync` against each lie the emulator tells: the exit status says what happened,
/// nothing the remote still serves leaves the replica, and one quiet sync converges.
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("convosync sync against each lie", .serialized)
struct LyingRemoteMatrixTests {
    enum Lie: String, CaseIterable, CustomTestStringConvertible {
        case emptyPages, shortPages, movingTotal, absurdTotal, hostileIDs, cursorCycle, expiredCursors, retryAfterZero

        var testDescription: String { rawValue }

        func applies(to dialect: Dialect) -> Bool {
            switch self {
            case .cursorCycle, .expiredCursors: dialect == .agentflow || dialect == .v2
            case .absurdTotal, .movingTotal: dialect != .v2
            default: true
            }
        }

        func apply(to faults: inout FaultConfiguration) {
            switch self {
            case .emptyPages: faults.emptyPageEvery = 2
            case .shortPages: faults.shortPageEvery = 2
            case .movingTotal: faults.movingTotal = true
            case .absurdTotal: faults.absurdTotal = true
            case .hostileIDs: faults.hostileIDs = true
            case .cursorCycle: faults.cursorCycle = true
            case .expiredCursors: faults.cursorGeneration = 7
            case .retryAfterZero:
                faults.rateLimitRate = 0.3
                faults.retryAfterSeconds = 0
            }
        }

        /// What `convosync sync` exits with under the lie.
        var expectedStatus: Set<Int32> {
            switch self {
            case .absurdTotal: [76]
            // 76 once a walk reaches the third page; this tenant's listings fit in fewer
            // (the engine's tests walk small pages into the cycle).
            case .cursorCycle: [0, 76]
            case .retryAfterZero: [0, 75]
            default: [0]
            }
        }
    }

    static var cases: [(Dialect, Lie)] {
        Dialect.allCases.flatMap { dialect in Lie.allCases.filter { $0.applies(to: dialect) }.map { (dialect, $0) } }
    }

    @Test("the exit status says what happened, nothing served is removed, one quiet sync converges", arguments: cases)
    func syncUnderALie(dialect: Dialect, lie: Lie) async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(dialect, in: folder, conversations: 12, admin: true) { synced in
                let before = Set(try await exportedIDs(synced))
                var faults = FaultConfiguration()
                lie.apply(to: &faults)
                synced.emulator.emulator.faults.update(faults)
                let lying = try await synced.run(["sync"])
                #expect(lie.expectedStatus.contains(lying.status), "\(lie): exit \(lying.status): \(lying.standardError)")
                synced.emulator.emulator.faults.update(FaultConfiguration())
                let served = Set(try await synced.truth().map(\.id))
                let kept = Set(try await exportedIDs(synced))
                #expect(before.intersection(served).isSubset(of: kept), "removed while served: \(before.intersection(served).subtracting(kept))")

                let quiet = try await synced.run(["sync"])
                #expect(quiet.status == 0, "\(quiet.standardError)")
                #expect(Set(try await exportedIDs(synced)) == Set(try await synced.truth().map(\.id)))
            }
        }
    }

    private func exportedIDs(_ synced: SyncedReplica) async throws -> [String] {
        let export = try await Convosync.run(["export", "--db", synced.db])
        try #require(export.status == 0, "\(export.standardError)")
        return try SyncSetup.exportedIDs(export.output)
    }
}
