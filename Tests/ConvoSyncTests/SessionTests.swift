import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

@Suite("The session an app opens")
struct SessionTests {
    @Test("a session opens the replica, syncs, answers queries offline and closes; reopening for another account is refused")
    func sessionLifecycle() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("app.convosync").path
            try await EmulatorHarness.withSeededEmulator(conversations: 10, turns: 2) { emulator in
                let account = try EmulatorHarness.account(.agentflow, on: emulator)
                let total = try await SyncSession.with(replicaAt: path, account: account) { session in
                    try await session.engine.sync()
                    return try await session.replica.conversations(ConversationQuery()).total
                }
                #expect(total > 0)
                let other = try EmulatorHarness.account(.knowrithm, on: emulator)
                await #expect {
                    _ = try await SyncSession.open(replicaAt: path, account: other)
                } throws: { error in
                    (error as? SyncError)?.store?.code == .accountMismatch
                }
            }
            // Offline: the replica still answers.
            let replica = try Replica.openExisting(at: path)
            #expect(try await replica.conversations(ConversationQuery()).total > 0)
        }
    }

    @Test("a replica left empty by a failed first sync is removed with its companions; one holding a write made offline is kept")
    func emptyReplicaRemovedOfflineWriteKept() async throws {
        try await withTemporaryDirectory { folder in
            let unreachable = try #require(URL(string: "http://127.0.0.1:9/agentflow/v1"))
            let account = RemoteAccount(baseURL: unreachable, dialect: .agentflow, credentials: .bearer("unused-key"))
            var configuration = SyncConfiguration()
            configuration.retry = RetryPolicy(attempts: 1)

            let empty = folder.appendingPathComponent("empty.convosync").path
            let first = try await SyncSession.open(replicaAt: empty, account: account, configuration: configuration)
            await #expect(throws: SyncError.self) { try await first.engine.sync() }
            #expect(await first.closeRemovingReplicaIfEmpty())
            for suffix in ["", "-wal", "-shm"] {
                #expect(!FileManager.default.fileExists(atPath: empty + suffix), "\(suffix)")
            }

            let drafted = folder.appendingPathComponent("drafted.convosync").path
            let second = try await SyncSession.open(replicaAt: drafted, account: account, configuration: configuration)
            _ = try await second.engine.createConversation(agentID: "agent_1", title: "Drafted offline")
            await #expect(throws: SyncError.self) { try await second.engine.sync() }
            #expect(await second.closeRemovingReplicaIfEmpty() == false)
            let kept = try Replica.openExisting(at: drafted)
            #expect(try await kept.pendingOutbox().count == 1)
            try kept.close()
        }
    }

    @Test("v2 with no agents named discovers them and syncs every agent's conversations")
    func v2DiscoversAgents() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2) { emulator in
                var account = try EmulatorHarness.account(.v2, on: emulator)
                account.agentIDs = []
                let path = folder.appendingPathComponent("v2.convosync").path
                try await SyncSession.with(replicaAt: path, account: account) { session in
                    try await session.engine.sync()
                    let (replica, remote) = try await EmulatorHarness.comparison(session.replica, dialect: .v2, on: emulator)
                    #expect(replica == remote)
                }
            }
        }
    }

    @Test("the status reports pages, conversations, requests and bytes of a sync")
    func statusCountsTheWork() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 15, turns: 2) { emulator in
                try await SyncHarness.with(.knowrithm, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let status = harness.engine.status
                    #expect(status.phase == .idle)
                    #expect(status.pages >= 2)
                    #expect(status.conversations >= 15)
                    #expect(status.expectedConversations != nil)
                    #expect(status.requests > status.pages)
                    #expect(status.receivedBytes > 0)
                    #expect(status.lastSuccess != nil)
                    #expect(status.lastError == nil)
                }
            }
        }
    }

    @Test("tombstones past the retention are collected; recent ones stay")
    func tombstonesAreCollected() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 6, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let id = try #require(try await harness.comparison().remote.first?.id)
                    try await harness.admin.hardDelete(id)
                    try await harness.engine.sync()
                    #expect(try await harness.engine.collectTombstones() == 0)
                    let later = Date().addingTimeInterval(31 * 24 * 3600)
                    #expect(try await harness.engine.collectTombstones(now: later) == 1)
                    #expect(try await harness.replica.conversationOwners()[id] == nil)
                }
            }
        }
    }
}
