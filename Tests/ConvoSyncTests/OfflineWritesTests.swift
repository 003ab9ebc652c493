import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

@Suite("Offline writes")
struct OfflineWritesTests {
    /// The emulator on a fixed port over a database file, so it can stop and come back as the
    /// same remote.
    static func emulatorConfiguration(port: Int, database: URL) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.port = port
        configuration.databasePath = database.path
        configuration.generator.conversations = 8
        configuration.generator.turns = 2
        configuration.deltaInterval = .milliseconds(1)
        return configuration
    }

    @Test("writes made while the remote is down are all applied once it is back, exactly once each", arguments: [Dialect.agentflow, .knowrithm])
    func writesWaitForTheRemote(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            let database = folder.appendingPathComponent("remote.sqlite")
            var account: RemoteAccount?
            var port = 0
            // First life of the remote: the replica syncs.
            try await withEmulator(Self.emulatorConfiguration(port: 0, database: database), logger: EmulatorHarness.logger) { emulator in
                port = emulator.addresses.port
                account = try EmulatorHarness.account(dialect, on: emulator)
            }
            let remoteAccount = try #require(account)
            var remote = RemoteConfiguration()
            remote.timeouts.connect = .milliseconds(500)
            var configuration = SyncHarness.testConfiguration
            configuration.retry = RetryPolicy(attempts: 2, initialDelay: .milliseconds(1), maxDelay: .milliseconds(5))
            let path = folder.appendingPathComponent("replica.convosync").path

            try await SyncSession.with(replicaAt: path, account: remoteAccount, configuration: configuration, remote: remote) { session in
                let engine = session.engine
                var ids: [String] = []
                try await withEmulator(Self.emulatorConfiguration(port: port, database: database), logger: EmulatorHarness.logger) { emulator in
                    try await engine.sync()
                    ids = try await EmulatorHarness.comparison(session.replica, dialect: dialect, on: emulator).remote
                        .filter { !$0.deleted }.map(\.id)
                }
                // The remote is down: every write applies locally and waits.
                let agent = try #require(remoteAccount.agentIDs.first)
                let created = try await engine.createConversation(agentID: agent, title: "Written offline")
                try await engine.send("First words, offline", to: created)
                try await engine.send("A follow-up, offline", to: .remote(ids[0]))
                try await engine.delete(.remote(ids[1]))
                await #expect { try await engine.sync() } throws: { ($0 as? SyncError)?.code == .offline }
                #expect(try await session.replica.pendingOutbox().count == 4)
                let local = try #require(try await session.replica.conversation(created))
                #expect(local.turns.map(\.text) == ["First words, offline"])
                #expect(try await session.replica.conversation(id: ids[1]) == nil)

                // The remote is back: everything goes out once.
                try await withEmulator(Self.emulatorConfiguration(port: port, database: database), logger: EmulatorHarness.logger) { emulator in
                    let report = try await engine.sync()
                    #expect(report.pushed == 4)
                    #expect(try await session.replica.pendingOutbox().isEmpty)
                    let (replica, truth) = try await EmulatorHarness.comparison(session.replica, dialect: dialect, on: emulator)
                    #expect(replica == truth)
                    let titled = truth.filter { $0.title == "Written offline" }
                    #expect(titled.count == 1)
                    #expect(titled.first?.turns.filter { $0.text == "First words, offline" }.count == 1)
                    let followed = try #require(truth.first { $0.id == ids[0] })
                    #expect(followed.turns.filter { $0.text == "A follow-up, offline" }.count == 1)
                    #expect(!truth.contains { $0.id == ids[1] && !$0.deleted })
                    // The local key never changed; the remote id was filled in.
                    let detail = try #require(try await session.replica.conversation(created))
                    #expect(detail.summary.remoteID == titled.first?.id)
                }
            }
        }
    }
}
