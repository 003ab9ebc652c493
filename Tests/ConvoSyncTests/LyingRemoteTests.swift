import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

/// A remote that lies (DESIGN "The emulator": short pages, cycling or expired cursors, moving
/// or absurd totals, ids no one should store) never costs the replica what the remote still
/// serves, never loops, and converges in one sync once it tells the truth again.
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Sync against a remote that lies", .serialized)
struct LyingRemoteTests {
    static let dialects: [Dialect] = [.agentflow, .v2, .knowrithm, .turns]

    /// A lie that leaves every item readable but the listing unproven.
    enum Lie: String, CaseIterable, CustomTestStringConvertible {
        case emptyPages, shortPages, movingTotal, absurdTotal

        var testDescription: String { rawValue }

        func apply(to faults: inout FaultConfiguration) {
            switch self {
            case .emptyPages: faults.emptyPageEvery = 1
            case .shortPages: faults.shortPageEvery = 1
            case .movingTotal: faults.movingTotal = true
            case .absurdTotal: faults.absurdTotal = true
            }
        }
    }

    @Test(
        "a listing that lies about its pages or its total removes nothing the remote still serves, and one quiet sync converges",
        arguments: dialects, Lie.allCases)
    func lyingListingsRemoveNothing(dialect: Dialect, lie: Lie) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 24, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let before = try await harness.comparison()
                    #expect(before.replica == before.remote)
                    // A real deletion while the remote lies: it may be purged only on proof.
                    let gone = try #require(before.remote.last?.id)
                    try await harness.admin.hardDelete(gone)

                    var faults = FaultConfiguration()
                    lie.apply(to: &faults)
                    emulator.emulator.faults.update(faults)
                    var report: SyncReport?
                    if lie == .absurdTotal && dialect != .v2 {
                        // A total no tenant has is refused with a typed error, not followed (v2
                        // reports no totals).
                        let error = await #expect(throws: SyncError.self) { try await harness.engine.sync() }
                        #expect(error?.code == .protocolViolation)
                    } else {
                        report = try await harness.engine.sync()
                    }
                    let lying = try await harness.comparison()
                    let served = Set(lying.remote.map(\.id))
                    let kept = Set(lying.replica.map(\.id))
                    #expect(served.isSubset(of: kept), "the replica lost what the remote serves: \(served.subtracting(kept))")
                    if dialect == .turns && lie != .shortPages {
                        // Without a read by id, only a pass that proves the listing complete may
                        // purge. (A short turns page claims no end: the client's own offsets go
                        // on and still cover the listing.)
                        #expect(report?.pull.deletionsChecked != true)
                        #expect(kept.contains(gone))
                    }

                    emulator.emulator.faults.update(FaultConfiguration())
                    let quiet = try await harness.engine.sync()
                    #expect(quiet.pull.deletionsChecked)
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("one empty turns page announcing 50 keeps all 45 conversations (the reported wipe)")
    func emptyTurnsPageKeepsTheAgent() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 45, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.turns, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let held = try await harness.comparison().replica.count
                    #expect(held > 0)
                    var faults = FaultConfiguration()
                    faults.emptyPageEvery = 1
                    emulator.emulator.faults.update(faults)
                    let report = try await harness.engine.sync()
                    #expect(report.pull.purged == 0)
                    #expect(!report.pull.deletionsChecked)
                    #expect(try await harness.comparison().replica.count == held)
                }
            }
        }
    }

    @Test("listing cursors that cycle A→B→A end the sync with protocolViolation, not a loop, and keep the replica", arguments: [Dialect.agentflow, .v2])
    func cyclingCursorsEndTheSync(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 40, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 5
                // Every pull a full pass (agentflow would otherwise stop at its high-water mark).
                configuration.fullPassEvery = 1
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    try await harness.engine.sync()
                    let held = Set(try await harness.comparison().replica.map(\.id))
                    var faults = FaultConfiguration()
                    faults.cursorCycle = true
                    emulator.emulator.faults.update(faults)
                    let error = await #expect(throws: SyncError.self) { try await harness.engine.sync() }
                    #expect(error?.code == .protocolViolation)
                    #expect(Set(try await harness.comparison().replica.map(\.id)) == held)

                    emulator.emulator.faults.update(FaultConfiguration())
                    try await harness.engine.sync()
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("a stored cursor the remote has expired (400, or 410 Gone) restarts the pass from the start, once, and converges",
          arguments: [Dialect.agentflow, .v2], [false, true])
    func expiredStoredCursorRestartsThePass(dialect: Dialect, gone: Bool) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 40, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 5
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    try await interruptFirstPass(harness)
                    // Every cursor issued so far expires, the stored one among them.
                    var faults = FaultConfiguration()
                    faults.cursorGeneration = 1
                    faults.expiredCursorsGone = gone
                    emulator.emulator.faults.update(faults)
                    let gone = try #require(try await harness.comparison().remote.first?.id)
                    try await harness.admin.hardDelete(gone)

                    let report = try await harness.engine.sync()
                    #expect(report.pull.deletionsChecked)
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                    // And again: a second sync has nothing stored to refuse.
                    try await harness.engine.sync()
                    #expect(try await harness.comparison().replica == remote)
                }
            }
        }
    }

    @Test("after an interrupted pass, one sync against a quiet remote checks deletions and converges", arguments: dialects)
    func oneSyncConvergesAfterAnInterruptedPass(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 40, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 5
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    // A first pass is cut mid-way; the remote hard-deletes a conversation the
                    // replica already holds, and goes quiet.
                    try await interruptFirstPass(harness)
                    let gone = try #require(try await harness.comparison().replica.first?.id)
                    try await harness.admin.hardDelete(gone)

                    let report = try await harness.engine.sync()
                    #expect(report.pull.deletionsChecked)
                    #expect(report.pull.fullPasses >= 2, "a resumed pass proves nothing: a second pass must follow")
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                    #expect(!replica.map(\.id).contains(gone))
                }
            }
        }
    }

    @Test("items with ids no one should store are refused one by one; the rest of each page lands", arguments: dialects)
    func hostileIDsAreRefusedItemByItem(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 20, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    var faults = FaultConfiguration()
                    faults.hostileIDs = true
                    emulator.emulator.faults.update(faults)
                    let report = try await harness.engine.sync()
                    #expect(report.pull.refused > 0)
                    #expect(harness.engine.status.refusedItems == report.pull.refused)
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                    let storedIDs = replica.map(\.id) + replica.flatMap { $0.turns.map(\.id) }
                    #expect(storedIDs.allSatisfy(RemoteID.isStorable))

                    // A second sync under the same lies neither fails nor changes anything.
                    try await harness.engine.sync()
                    #expect(try await harness.comparison().replica == remote)
                }
            }
        }
    }

    @Test("knowrithm confirms deletions through its documented messages listing (it has no read by id)")
    func knowrithmConfirmsDeletionsByItsMessagesListing() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.knowrithm, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let ids = try await harness.comparison().remote.map(\.id)
                    try await harness.admin.hardDelete(ids[0])
                    try await harness.admin.softDelete(ids[1])
                    let report = try await harness.engine.sync()
                    #expect(report.pull.purged == 1)
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("a knowrithm remote without the optional deleted listing still syncs and never purges a soft-deleted conversation")
    func missingDeletedListingIsWorkedAround() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.knowrithm, on: emulator, in: folder) { harness in
                    var faults = FaultConfiguration()
                    faults.missingRoutes = ["deleted_listing"]
                    emulator.emulator.faults.update(faults)
                    try await harness.engine.sync()
                    let ids = try await harness.comparison().remote.map(\.id)
                    try await harness.admin.softDelete(ids[0])
                    try await harness.admin.hardDelete(ids[1])
                    let report = try await harness.engine.sync()
                    #expect(report.pull.purged == 1)
                    var query = ConversationQuery(limit: 100)
                    query.filters.includeDeleted = true
                    let held = Set(try await harness.replica.conversations(query).items.compactMap(\.remoteID))
                    #expect(held.contains(ids[0]), "a soft-deleted conversation still answers its reads: it stays")
                    #expect(!held.contains(ids[1]))
                    #expect(harness.engine.status.unavailableReads == ["deleted listing"])
                }
            }
        }
    }

    @Test("a watch on a remote without the watch route ends quietly and sync keeps the conversation fresh")
    func missingWatchRouteEndsTheWatch() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    var faults = FaultConfiguration()
                    faults.missingRoutes = ["watch"]
                    emulator.emulator.faults.update(faults)
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    await harness.engine.watch(id)
                    // The watch asks once, learns the route is missing and stops.
                    for _ in 0..<250 where await !harness.engine.watchedConversations.isEmpty {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(await harness.engine.watchedConversations.isEmpty)
                    try await harness.admin.append(to: id, content: "Still there?")
                    try await harness.engine.sync()
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    /// Starts a full pass and cancels it after its second committed page.
    private func interruptFirstPass(_ harness: SyncHarness) async throws {
        let engine = harness.engine
        let updates = engine.statusUpdates()
        let sync = Task { try await engine.sync() }
        for await status in updates where status.pages >= 2 {
            sync.cancel()
            break
        }
        guard case .failure = await sync.result else {
            Issue.record("the sync finished before it could be interrupted")
            return
        }
    }
}

/// The same invariants under random sequences of lies, one sequence per dialect and seed.
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Sync against random sequences of lies", .serialized)
struct RandomLiesTests {
    @Test(
        "random lies across passes never remove what the remote serves, never loop, and converge once they stop",
        .timeLimit(.minutes(5)), arguments: LyingRemoteTests.dialects, [UInt64(11), 29])
    func randomLiesKeepTheInvariants(dialect: Dialect, seed: UInt64) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 4
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    var random = SeededGenerator(seed: seed &* 7919 &+ UInt64(dialect.rawValue.count))
                    try await harness.engine.sync()
                    for round in 0..<5 {
                        let held = Set(try await harness.comparison().replica.map(\.id))
                        try await changeTheRemote(harness, emulator: emulator, random: &random)
                        var faults = Self.randomLies(round: round, dialect: dialect, random: &random)
                        faults.seed = random.next()
                        emulator.emulator.faults.update(faults)
                        do {
                            try await harness.engine.sync()
                        } catch let error as SyncError where [.protocolViolation, .offline, .rateLimited].contains(error.code) {
                            // A lie may end a sync with a typed error; the replica must stay intact.
                        }
                        emulator.emulator.faults.update(FaultConfiguration())
                        let (replica, remote) = try await harness.comparison()
                        let kept = Set(replica.map(\.id))
                        let lost = held.intersection(remote.map(\.id)).subtracting(kept)
                        #expect(lost.isEmpty, "round \(round) (\(faults)) removed what the remote still serves: \(lost)")
                    }
                    try await harness.engine.sync()
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    /// One to three lies, drawn at random among those that apply to the dialect.
    static func randomLies(round: Int, dialect: Dialect, random: inout SeededGenerator) -> FaultConfiguration {
        var faults = FaultConfiguration()
        var lies: [(inout FaultConfiguration) -> Void] = [
            { $0.emptyPageEvery = 3 }, { $0.shortPageEvery = 2 }, { $0.movingTotal = true }, { $0.absurdTotal = true },
            { $0.hostileIDs = true }, { $0.churnEvery = 2 },
            { $0.serverErrorRate = 0.1 }, { $0.rateLimitRate = 0.1; $0.retryAfterSeconds = 0 },
        ]
        if dialect == .agentflow || dialect == .v2 {
            lies.append { $0.cursorCycle = true }
            lies.append { $0.cursorGeneration = round + 1 }
        }
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            lies[Int.random(in: 0..<lies.count, using: &random)](&faults)
        }
        return faults
    }

    /// Sometimes a real change: a new conversation, a reply, a hard delete.
    private func changeTheRemote(_ harness: SyncHarness, emulator: RunningEmulator, random: inout SeededGenerator) async throws {
        let ids = try await harness.comparison().remote.map(\.id)
        switch Int.random(in: 0..<4, using: &random) {
        case 0: _ = try await harness.admin.createConversation(agentID: emulator.addresses.agentIDs[0], title: "New")
        case 1: if let id = ids.randomElement(using: &random) { _ = try await harness.admin.append(to: id, content: "More?") }
        case 2: if let id = ids.randomElement(using: &random) { try await harness.admin.hardDelete(id) }
        default: break
        }
    }
}

/// Event streams that lie: ids no one should store, `retry: 0`.
@Suite("Watching a remote whose event streams lie")
struct LyingStreamTests {
    @Test("snapshots whose SSE ids carry control bytes or 1,500 bytes still land; no such id is stored; retry: 0 does not spin")
    func hostileEventIDsAreNeverStored() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    var faults = FaultConfiguration()
                    faults.sseHostileIDs = true
                    faults.sseRetryZero = true
                    emulator.emulator.faults.update(faults)
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    await harness.engine.watch(id)
                    for content in ["First under lying ids", "Second under lying ids"] {
                        let (user, _) = try await harness.admin.append(to: id, content: content)
                        #expect(try await LiveWatchTests.waitUntil(harness.replica, id) { detail in
                            detail?.turns.contains { $0.id == user } == true
                        }, "the snapshot with \(content) did not land")
                        let stored = try await harness.replica.syncState(scope: "watch:\(id)")?.lastEventID
                        #expect(stored.map(RemoteID.isStorable) ?? true, "stored a hostile event id")
                    }
                    let requests = harness.engine.status.requests
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(harness.engine.status.requests - requests < 20, "the watch reconnects in a busy loop")
                }
            }
        }
    }
}

/// Sizes no file or frame has: refused before anything is loaded.
@Suite("Content a remote lies about")
struct LyingContentTests {
    @Test("a file or frame listed at 10^12 bytes or rows is refused with a typed error; nothing lands on disk or in memory")
    func hugeClaimsAreRefused() async throws {
        try await ContentSyncTests.withSyncedV2 { harness, produced in
            var faults = FaultConfiguration()
            faults.hugeSizes = true
            harness.emulator.emulator.faults.update(faults)
            for conversation in produced {
                if let ref = conversation.files.first?["file_ref"] as? String {
                    let error = await #expect(throws: SyncError.self) {
                        _ = try await harness.engine.fetchFile(ref: ref, of: conversation.id, refresh: true)
                    }
                    #expect(error?.remote?.code == .responseTooLarge)
                    let stored = try await harness.replica.file(ref: ref)
                    #expect(stored?.cachedPath == nil)
                }
                if let name = conversation.frames.first?["name"] as? String {
                    let error = await #expect(throws: SyncError.self) {
                        _ = try await harness.engine.dataFrameSlice(named: name, of: conversation.id, limit: 5)
                    }
                    #expect(error?.remote?.code == .responseTooLarge)
                }
            }
        }
    }
}
