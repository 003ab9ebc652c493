import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

@Suite("Interrupted passes and the run loop")
struct ResumeAndRunTests {
    @Test("a pass cancelled mid-way keeps its committed pages and the next sync resumes after them", arguments: [Dialect.agentflow, .knowrithm, .turns])
    func cancelledPassResumes(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 60, turns: 2) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pageSize = 5
                try await SyncHarness.with(dialect, on: emulator, in: folder, configuration: configuration) { harness in
                    let engine = harness.engine
                    let updates = engine.statusUpdates()
                    let sync = Task { try await engine.sync() }
                    for await status in updates where status.pages >= 3 {
                        sync.cancel()
                        break
                    }
                    let result = await sync.result
                    guard case .failure(let error) = result else {
                        Issue.record("the sync finished before it could be cancelled")
                        return
                    }
                    #expect((error as? SyncError)?.code == .cancelled)
                    let scope = dialect == .turns ? "conversations:\(emulator.addresses.agentIDs[0])" : "conversations"
                    let stored = try #require(try await harness.replica.syncState(scope: scope))
                    #expect(stored.cursor != nil || stored.offset != nil, "no resume position was committed")

                    // The resumed pass reads only what was left; since it proves nothing about
                    // deletions, one full pass follows it in the same sync.
                    let scopes = dialect == .turns ? emulator.addresses.agentIDs.count : 1
                    let fullPass = 60 / 5 * scopes
                    let resumed = try await engine.sync()
                    #expect(resumed.pull.fullPasses == scopes + 1)
                    #expect(resumed.pull.pages < 2 * fullPass)
                    #expect(resumed.pull.deletionsChecked)
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("run() pulls on request, reports its phases, and stops cleanly when cancelled")
    func runLoopPullsOnRequest() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 8, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pullInterval = .seconds(3600)
                try await SyncHarness.with(.knowrithm, on: emulator, in: folder, configuration: configuration) { harness in
                    let engine = harness.engine
                    let updates = engine.statusUpdates()
                    let running = Task { await engine.run() }
                    var successes = 0
                    var phases = Set<SyncStatus.Phase>()
                    var created: String?
                    for await status in updates {
                        phases.insert(status.phase)
                        guard status.phase == .idle, let success = status.lastSuccess else { continue }
                        _ = success
                        successes += 1
                        if successes == 1 {
                            // The first pull is done; change the remote and ask for another.
                            created = try await harness.admin.createConversation(
                                agentID: emulator.addresses.agentIDs[0], title: "Asked for a pull")
                            engine.requestSync()
                        } else if let created, try await harness.replica.conversation(id: created) != nil {
                            break
                        }
                    }
                    running.cancel()
                    await running.value
                    #expect(phases.contains(.listing))
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("two syncs asked for at once share one pass")
    func concurrentSyncsShareOnePass() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 20, turns: 2) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    // Slow answers keep the first sync running while the second is asked for.
                    var faults = FaultConfiguration()
                    faults.latency = .milliseconds(100)
                    emulator.emulator.faults.update(faults)
                    let engine = harness.engine
                    let updates = engine.statusUpdates()
                    let first = Task { try await engine.sync() }
                    // Ask again once the first is under way: it must join, not start over.
                    for await status in updates where status.phase == .listing { break }
                    let second = try await engine.sync()
                    #expect(try await first.value == second)
                    #expect(second.pull.read > 0)
                    emulator.emulator.faults.update(FaultConfiguration())
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("a cancelled caller stops waiting while the shared sync goes on for the others")
    func cancelledCallerLeavesTheSharedSyncRunning() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 20, turns: 2) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    var faults = FaultConfiguration()
                    faults.latency = .milliseconds(100)
                    emulator.emulator.faults.update(faults)
                    let engine = harness.engine
                    let updates = engine.statusUpdates()
                    let staying = Task { try await engine.sync() }
                    for await status in updates where status.phase == .listing { break }
                    let leaving = Task { try await engine.sync() }
                    try await Task.sleep(for: .milliseconds(50))
                    leaving.cancel()
                    let left = await leaving.result
                    #expect(throws: SyncError.self) { try left.get() }
                    #expect((try? left.get()) == nil)
                    if case .failure(let error) = left { #expect((error as? SyncError)?.code == .cancelled) }
                    // The other caller's sync was not cancelled with it.
                    let report = try await staying.value
                    #expect(report.pull.read > 0)
                    emulator.emulator.faults.update(FaultConfiguration())
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("run() keeps pulling when another caller's sync is cancelled; only its own cancellation ends it")
    func runSurvivesAnotherCallersCancellation() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 20, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                var configuration = SyncHarness.testConfiguration
                configuration.pullInterval = .seconds(3600)
                try await SyncHarness.with(.agentflow, on: emulator, in: folder, configuration: configuration) { harness in
                    var faults = FaultConfiguration()
                    faults.latency = .milliseconds(50)
                    emulator.emulator.faults.update(faults)
                    let engine = harness.engine
                    let updates = engine.statusUpdates()
                    let running = Task { await engine.run() }
                    for await status in updates where status.phase == .listing { break }
                    // A view's task joins the sync run() started, then goes away.
                    let view = Task { try await engine.sync() }
                    try await Task.sleep(for: .milliseconds(30))
                    view.cancel()
                    _ = await view.result
                    for await status in updates where status.phase == .idle && status.lastSuccess != nil { break }
                    // run() is still there: a remote change it is asked to pull arrives.
                    emulator.emulator.faults.update(FaultConfiguration())
                    let created = try await harness.admin.createConversation(agentID: emulator.addresses.agentIDs[0], title: "After the view left")
                    engine.requestSync()
                    for _ in 0..<500 where try await harness.replica.conversation(id: created) == nil {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(try await harness.replica.conversation(id: created) != nil)
                    running.cancel()
                    await running.value
                }
            }
        }
    }

    @Test("an unreachable remote fails the sync as offline and commits nothing")
    func unreachableIsOffline() async throws {
        try await withTemporaryDirectory { folder in
            // An emulator that is stopped before the sync: its port refuses connections.
            var stoppedAccount: RemoteAccount?
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 1) { emulator in
                stoppedAccount = try EmulatorHarness.account(.agentflow, on: emulator)
            }
            let account = try #require(stoppedAccount)
            let binding = AccountBinding(baseURL: account.baseURL.absoluteString, dialect: .agentflow)
            let replica = try Replica.open(at: folder.appendingPathComponent("offline.convosync").path, account: binding)
            // The HTTP client keeps retrying a refused connection until its connect timeout.
            var remoteConfiguration = RemoteConfiguration()
            remoteConfiguration.timeouts.connect = .milliseconds(300)
            let connection = RemoteAPIFactory.make(account: account, configuration: remoteConfiguration, logger: EmulatorHarness.logger)
            var configuration = SyncHarness.testConfiguration
            configuration.retry = RetryPolicy(attempts: 2, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5))
            let engine = SyncEngine(replica: replica, api: connection.api, configuration: configuration)
            await #expect {
                try await engine.sync()
            } throws: { error in
                (error as? SyncError)?.code == .offline
            }
            #expect(engine.status.online == false)
            #expect(try await replica.conversations(ConversationQuery()).total == 0)
            try await connection.shutdown()
        }
    }
}
