import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing
import TestSupport

/// `send`, `rename`, `delete`, `restore`, `new`: queued in the replica, pushed when the remote answers.
@Suite("convosync everyday writes")
struct WriteCommandTests {
    @Test("send: the remote holds the message once and the replica holds the agent's reply")
    func sendLandsOnceWithReply() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let id = try #require(try await synced.truth().first { !$0.deleted }?.id)
                let sent = try await synced.run(["send"], [id, "Hello from the command line", "--json"])
                #expect(sent.status == 0, "\(sent.standardError)")
                let document = try SyncedReplica.document(sent)
                #expect(document["outcome"] as? String == "pushed")
                let op = try #require(document["op"] as? [String: Any])
                #expect(op["kind"] as? String == "send_message")
                #expect(op["state"] as? String == "pushed")
                let reply = try #require(document["reply"] as? String)
                #expect(!reply.isEmpty)

                let remote = try #require(try await synced.truth().first { $0.id == id })
                #expect(remote.turns.filter { $0.text == "Hello from the command line" }.count == 1)
                try await synced.withReplica { (replica: Replica) async throws in
                    #expect(try await replica.pendingOutbox().isEmpty)
                    let detail = try #require(try await replica.conversation(id: id))
                    let index = try #require(detail.turns.firstIndex { $0.text == "Hello from the command line" })
                    let answer = try #require(detail.turns.dropFirst(index + 1).first)
                    #expect(answer.role == .assistant)
                    #expect(answer.text == reply)
                    #expect(!answer.id.isEmpty)
                }

                let human = try await synced.run(["send"], [id, "And once more"])
                #expect(human.status == 0, "\(human.standardError)")
                #expect(human.output.hasPrefix("Sent to \(id)"))
            }
        }
    }

    @Test("with the remote down, send exits 75 and keeps the message queued; the next sync pushes it exactly once")
    func offlineSendIsPushedBySync() async throws {
        try await withTemporaryDirectory { folder in
            let store = folder.appendingPathComponent("remote.sqlite")
            let setup = SyncSetup(folder: folder)
            let db = folder.appendingPathComponent("replica.convosync").path
            var port = 0
            var arguments: [String] = []
            var id = ""
            try await withEmulator(Self.emulatorConfiguration(port: 0, store: store), logger: EmulatorHarness.logger) { emulator in
                port = emulator.addresses.port
                arguments = ["--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let sync = try await Convosync.run(["sync"] + arguments, environment: setup.environment(.agentflow, on: emulator))
                try #require(sync.status == 0, "\(sync.standardError)")
                id = try #require(ExpectedConversation.fromTruth(try await EmulatorHarness.truth(emulator), dialect: .agentflow).first?.id)
            }
            var environment = setup.baseEnvironment
            environment["CONVOSYNC_API_KEY"] = "dev-key"

            // The remote's port is closed now.
            let offline = try await Convosync.run(["send"] + arguments + [id, "Written while offline"], environment: environment)
            #expect(offline.status == 75, "\(offline.standardError)")
            #expect(offline.standardError.contains("queued"))
            #expect(offline.standardError.split(separator: "\n").count == 1)
            let replica = try Replica.openExisting(at: db)
            let ops = try await replica.pendingOutbox()
            #expect(ops.map(\.state) == [.pending])
            #expect(try await replica.conversation(id: id)?.turns.contains { $0.text == "Written while offline" } == true)
            try replica.close()

            let status = try await Convosync.run(["status", "--db", db, "--json"], environment: environment)
            #expect(status.status == 0, "\(status.standardError)")
            let account = try #require((try SyncedReplica.document(status)["accounts"] as? [[String: Any]])?.first)
            #expect(account["outbox_pending"] as? Int == 1)
            #expect(account["outbox_failed"] as? Int == 0)
            #expect(account["last_success"] is String)
            #expect(account["phase"] is NSNull)

            try await withEmulator(Self.emulatorConfiguration(port: port, store: store), logger: EmulatorHarness.logger) { emulator in
                let sync = try await Convosync.run(["sync"] + arguments, environment: environment)
                #expect(sync.status == 0, "\(sync.standardError)")
                let truth = ExpectedConversation.fromTruth(try await EmulatorHarness.truth(emulator), dialect: .agentflow)
                let conversation = try #require(truth.first { $0.id == id })
                #expect(conversation.turns.filter { $0.text == "Written while offline" }.count == 1)
                let again = try await Convosync.run(["sync"] + arguments, environment: environment)
                #expect(again.status == 0)
                let after = ExpectedConversation.fromTruth(try await EmulatorHarness.truth(emulator), dialect: .agentflow)
                #expect(after.first { $0.id == id }?.turns.filter { $0.text == "Written while offline" }.count == 1)
            }
            let synced = try Replica.openExisting(at: db)
            #expect(try await synced.pendingOutbox().isEmpty)
            try synced.close()
        }
    }

    @Test("agentflow renames; the remote and the replica carry the new title")
    func agentflowRename() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let id = try #require(try await synced.truth().first?.id)
                let renamed = try await synced.run(["rename"], [id, "Renewal, Q3"])
                #expect(renamed.status == 0, "\(renamed.standardError)")
                #expect(renamed.output.contains("Renewal, Q3"))
                #expect(try await synced.truth().first { $0.id == id }?.title == "Renewal, Q3")
                try await synced.withReplica { (replica: Replica) async throws in
                    #expect(try await replica.conversation(id: id)?.summary.title == "Renewal, Q3")
                }
            }
        }
    }

    @Test("knowrithm deletes softly and restores; the replica follows each step")
    func knowrithmDeleteRestore() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.knowrithm, in: folder) { synced in
                let id = try #require(try await synced.truth().first { !$0.deleted }?.id)
                let deleted = try await synced.run(["delete"], [id])
                #expect(deleted.status == 0, "\(deleted.standardError)")
                #expect(try await synced.truth().first { $0.id == id }?.deleted == true)
                try await synced.withReplica { (replica: Replica) async throws in
                    #expect(try await replica.conversation(id: id) == nil)
                    #expect(try await replica.conversation(id: id, includeDeleted: true) != nil)
                }
                let again = try await synced.run(["delete"], [id])
                #expect(again.status == 64)

                let restored = try await synced.run(["restore"], [id, "--json"])
                #expect(restored.status == 0, "\(restored.standardError)")
                #expect(try SyncedReplica.document(restored)["outcome"] as? String == "pushed")
                #expect(try await synced.truth().first { $0.id == id }?.deleted == false)
                try await synced.withReplica { (replica: Replica) async throws in
                    #expect(try await replica.conversation(id: id) != nil)
                    let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: .knowrithm, on: synced.emulator)
                    #expect(local == remote)
                }
            }
        }
    }

    @Test("knowrithm deletes and restores one message with --message")
    func knowrithmMessageDelete() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.knowrithm, in: folder) { synced in
                let conversation = try #require(try await synced.truth().first { !$0.deleted && $0.turns.contains { !$0.deleted } })
                let message = try #require(conversation.turns.first { !$0.deleted }?.id)
                let deleted = try await synced.run(["delete"], [conversation.id, "--message", message])
                #expect(deleted.status == 0, "\(deleted.standardError)")
                #expect(try await synced.truth().first { $0.id == conversation.id }?.turns.first { $0.id == message }?.deleted == true)
                let restored = try await synced.run(["restore"], [conversation.id, "--message", message])
                #expect(restored.status == 0, "\(restored.standardError)")
                #expect(try await synced.truth().first { $0.id == conversation.id }?.turns.first { $0.id == message }?.deleted == false)
            }
        }
    }

    @Test("a write the dialect does not have is refused with 64 before anything is queued")
    func unsupportedWriteRefused() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.knowrithm, in: folder) { synced in
                let id = try #require(try await synced.truth().first { !$0.deleted }?.id)
                let rename = try await synced.run(["rename"], [id, "Nope"])
                #expect(rename.status == 64)
                #expect(rename.standardError.contains("knowrithm dialect cannot rename"))
                #expect(rename.standardError.contains("nothing was queued"))
                try await synced.withReplica { (replica: Replica) async throws in
                    #expect(try await replica.pendingOutbox().isEmpty)
                    #expect(try await replica.conversation(id: id)?.summary.title != "Nope")
                }
            }
        }
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let id = try #require(try await synced.truth().first?.id)
                let restore = try await synced.run(["restore"], [id])
                #expect(restore.status == 64)
                #expect(restore.standardError.contains("cannot restore"))
                let message = try await synced.run(["delete"], [id, "--message", "msg_1"])
                #expect(message.status == 64)
                let unknown = try await synced.run(["send"], ["conv_does_not_exist", "Hello"])
                #expect(unknown.status == 65)
                #expect(unknown.standardError.contains("no conversation 'conv_does_not_exist'"))
                try await synced.withReplica { (replica: Replica) async throws in #expect(try await replica.pendingOutbox().isEmpty) }
            }
        }
    }

    @Test("new creates a conversation that a send can name as local:N")
    func newThenSendToLocalKey() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let agent = try #require(synced.emulator.addresses.agentIDs.first)
                let created = try await synced.run(["new"], ["--agent", agent, "--title", "Made here", "--json"])
                #expect(created.status == 0, "\(created.standardError)")
                let document = try SyncedReplica.document(created)
                let local = try #require(document["local"] as? String)
                let remoteID = try #require(document["conversation"] as? String)
                #expect(local.hasPrefix("local:"))
                let sent = try await synced.run(["send"], [local, "First words"])
                #expect(sent.status == 0, "\(sent.standardError)")
                let remote = try #require(try await synced.truth().first { $0.id == remoteID })
                #expect(remote.title == "Made here")
                #expect(remote.turns.filter { $0.text == "First words" }.count == 1)
            }
        }
    }

    /// The emulator on a fixed port over a store file, so it can stop and come back as the same remote.
    static func emulatorConfiguration(port: Int, store: URL) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration()
        configuration.port = port
        configuration.databasePath = store.path
        configuration.generator.conversations = 5
        configuration.generator.turns = 2
        configuration.deltaInterval = .milliseconds(1)
        return configuration
    }
}
