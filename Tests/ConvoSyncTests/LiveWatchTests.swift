import ConvoEmulator
import ConvoModel
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

@Suite("Watching hot conversations")
struct LiveWatchTests {
    /// Waits until the replica's view of a conversation satisfies `condition` (or fails after
    /// a generous bound: a stuck watch must fail the test, not hang it).
    static func waitUntil(
        _ replica: Replica, _ id: String, includeDeleted: Bool = false,
        _ condition: @escaping @Sendable (ConversationDetail?) -> Bool
    ) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                for try await detail in replica.observeConversation(id: id, includeDeleted: includeDeleted) where condition(detail) {
                    return true
                }
                return false
            }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return false
            }
            let result = try await group.next() ?? false
            group.cancelAll()
            return result
        }
    }

    @Test("a remote change to a watched conversation lands in the replica without a pull")
    func snapshotsLand() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 6, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    let before = try #require(try await harness.replica.conversation(id: id)).turns.count
                    await harness.engine.watch(id)
                    let (user, assistant) = try await harness.admin.append(to: id, content: "Is the watch live?")
                    #expect(try await Self.waitUntil(harness.replica, id) { detail in
                        let ids = detail?.turns.map(\.id) ?? []
                        return ids.contains(user) && ids.contains(assistant)
                    })
                    let after = try #require(try await harness.replica.conversation(id: id))
                    #expect(after.turns.count == before + 2)
                    let stored = try await harness.replica.syncState(scope: "watch:\(id)")
                    #expect(stored?.lastEventID != nil)
                }
            }
        }
    }

    @Test("cut and duplicated event streams resume from the stored id and apply each snapshot once")
    func cutAndDuplicatedStreams() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    var faults = FaultConfiguration()
                    faults.cutStreamAfterEvents = 1
                    faults.duplicateEvents = true
                    emulator.emulator.faults.update(faults)
                    await harness.engine.watch(id)
                    var expected: [String] = []
                    for round in 0..<4 {
                        let (user, assistant) = try await harness.admin.append(to: id, content: "Round \(round)")
                        expected += [user, assistant]
                    }
                    // The last snapshot carries every reply finished: wait for it.
                    let wanted = try #require(try await harness.comparison().remote.first { $0.id == id })
                    #expect(wanted.turns.map(\.id).suffix(expected.count) == ArraySlice(expected))
                    #expect(try await Self.waitUntil(harness.replica, id) { detail in
                        detail?.turns.map(\.text) == wanted.turns.map(\.text)
                    })
                    emulator.emulator.faults.update(FaultConfiguration())
                    let (replica, remote) = try await harness.comparison()
                    let watched = try #require(replica.first { $0.id == id })
                    #expect(watched == remote.first { $0.id == id })
                    let turnIDs = watched.turns.map(\.id)
                    #expect(Set(turnIDs).count == turnIDs.count)
                }
            }
        }
    }

    @Test("a resume position the remote no longer retains resets and refreshes the conversation")
    func resetRefreshes() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(
                conversations: 3, turns: 2, configure: { $0.adminEnabled = true; $0.snapshotRetention = 2 }
            ) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    // A position long gone: the server answers `reset`, then the latest snapshot.
                    try await harness.replica.setSyncState(.init(scope: "watch:\(id)", lastEventID: .set("1")))
                    for round in 0..<4 { try await harness.admin.append(to: id, content: "Change \(round)") }
                    await harness.engine.watch(id)
                    let wanted = try #require(try await harness.comparison().remote.first { $0.id == id })
                    #expect(try await Self.waitUntil(harness.replica, id) { detail in
                        detail?.turns.map(\.id) == wanted.turns.map(\.id)
                    })
                }
            }
        }
    }

    @Test("a watched conversation deleted upstream is recorded as purged and the watch ends")
    func deletionEndsTheWatch() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    await harness.engine.watch(id)
                    try await harness.admin.append(to: id, content: "Before the delete")
                    try await harness.admin.hardDelete(id)
                    #expect(try await Self.waitUntil(harness.replica, id, includeDeleted: true) { $0 == nil })
                }
            }
        }
    }
}
