import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import GRDB
import Testing
import TestSupport

/// `status`, `retry`, `discard` and `gc`: what a person does with the outbox and the tombstones.
@Suite("convosync status, retry, discard, gc")
struct OutboxCommandTests {
    @Test("a write the remote refuses for good is kept failed with its reason; retry and discard act on it")
    func retryDiscardRoundTrip() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder, admin: true) { synced in
                let conversation = try #require(try await synced.truth().first)
                // Another client deletes the conversation for good: the rename can never land.
                try await EmulatorAdmin(synced.emulator).hardDelete(conversation.id)
                let renamed = try await synced.run(["rename"], [conversation.id, "Too late"])
                #expect(renamed.status == 65, "\(renamed.standardError)")
                #expect(renamed.standardError.contains("refused op"))
                #expect(renamed.standardError.contains("convosync retry"))
                let op = try #require(try await synced.withReplica { try await $0.pendingOutbox() }.first)
                #expect(op.state == .failed)
                #expect(op.lastError != nil)

                let status = try await Convosync.run(["status", "--db", synced.db, "--json"], environment: synced.environment)
                #expect(status.status == 0, "\(status.standardError)")
                let account = try #require((try SyncedReplica.document(status)["accounts"] as? [[String: Any]])?.first)
                #expect(account["outbox_failed"] as? Int == 1)
                #expect(account["outbox_pending"] as? Int == 0)
                #expect(account["last_error"] as? String == op.lastError)
                let listed = try #require((account["outbox"] as? [[String: Any]])?.first)
                #expect(listed["id"] as? Int == Int(op.id))
                #expect(listed["state"] as? String == "failed")
                let human = try await Convosync.run(["status", "--db", synced.db], environment: synced.environment)
                #expect(human.output.contains("0 pending, 1 failed"))

                // With the remote named, retry pushes at once: refused again, still kept.
                let retried = try await synced.run(["retry"], ["\(op.id)"])
                #expect(retried.status == 65, "\(retried.standardError)")
                let again = try #require(try await synced.withReplica { try await $0.pendingOutbox() }.first)
                #expect(again.state == .failed)
                #expect(again.attempts == op.attempts + 1)

                // With only the replica named, retry queues it for the next sync.
                let queued = try await Convosync.run(["retry", "--db", synced.db, "--all"], environment: synced.environment)
                #expect(queued.status == 0, "\(queued.standardError)")
                #expect(queued.output.contains("queued again"))
                #expect(try await synced.withReplica { try await $0.pendingOutbox() }.map(\.state) == [.pending])
                let pendingDiscard = try await Convosync.run(["discard", "--db", synced.db, "\(op.id)"], environment: synced.environment)
                #expect(pendingDiscard.status == 64)

                let refusedAgain = try await synced.run(["retry"], ["--all", "--json"])
                #expect(refusedAgain.status == 65)
                #expect(try SyncedReplica.document(refusedAgain)["outcome"] as? String == "failed")

                // Not a terminal: discard asks nothing.
                let discarded = try await Convosync.run(
                    ["discard", "--db", synced.db, "\(op.id)", "--json"], environment: synced.environment)
                #expect(discarded.status == 0, "\(discarded.standardError)")
                #expect(try SyncedReplica.document(discarded)["state"] as? String == "discarded")
                try await synced.withReplica { (replica: Replica) async throws in
                    #expect(try await replica.pendingOutbox().isEmpty)
                    let detail = try await replica.conversation(id: conversation.id, includeDeleted: true)
                    #expect(detail?.summary.title != "Too late")
                }
                let missing = try await Convosync.run(["discard", "--db", synced.db, "\(op.id)"], environment: synced.environment)
                #expect(missing.status == 65)
                #expect(missing.standardError.contains("no op \(op.id)"))
            }
        }
    }

    @Test("retry sends a refused op under a new key: the old one would only replay the refusal; it then lands once")
    func retryUsesANewKey() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder, admin: true) { synced in
                let conversation = try #require(try await synced.truth().first { !$0.deleted })
                let admin = EmulatorAdmin(synced.emulator)
                // Another client deleted the conversation: the remote refuses the message (422).
                try await admin.softDelete(conversation.id)
                let text = "Sent while it was deleted"
                let sent = try await synced.run(["send"], [conversation.id, text])
                #expect(sent.status == 65, "\(sent.standardError)")
                let failed = try #require(try await synced.withReplica { try await $0.pendingOutbox() }.first)
                #expect(failed.state == .failed)

                // Restored: the message can land now, but not under the key the refusal is stored under.
                try await admin.restore(conversation.id)
                let queued = try await Convosync.run(["retry", "--db", synced.db, "\(failed.id)"], environment: synced.environment)
                #expect(queued.status == 0, "\(queued.standardError)")
                let requeued = try #require(try await synced.withReplica { try await $0.pendingOutbox() }.first)
                #expect(requeued.state == .pending)
                #expect(requeued.idempotencyKey != failed.idempotencyKey)

                let pushed = try await synced.run(["retry"], ["\(failed.id)"])
                #expect(pushed.status == 0, "\(pushed.standardError)")
                #expect(try await synced.withReplica { try await $0.pendingOutbox() }.isEmpty)
                let remote = try #require(try await synced.truth().first { $0.id == conversation.id })
                #expect(remote.turns.filter { $0.role == "user" && $0.text == text }.count == 1)
            }
        }
    }

    @Test("a write another process is pushing is left to it: the command waits for it, then reports what became of it")
    func commandWaitsForAnotherPusher() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let conversation = try #require(try await synced.truth().first { !$0.deleted })
                let text = "Held by the daemon"
                // This test process stands in for a daemon that claimed the op and then let go.
                let daemon = OutboxClaimOwner()
                let replica = try Replica.openExisting(at: synced.db)
                let sent = try await replica.enqueue(
                    .sendMessage(text: text), in: .remote(conversation.id), idempotencyKey: "held-1", at: Date())
                _ = try #require(try await replica.claimOutboxOp(for: daemon, lasting: .seconds(120)))
                let started = ContinuousClock.now
                async let retried = synced.run(["retry"], ["\(sent.opID)"])
                try await Task.sleep(for: .seconds(1))
                try await replica.releaseOutboxClaim(sent.opID, for: daemon)
                try replica.close()
                let result = try await retried
                #expect(result.status == 0, "\(result.standardError)")
                #expect(ContinuousClock.now - started >= .seconds(1), "it waited for the other pusher")
                #expect(try await synced.withReplica { try await $0.pendingOutbox() }.isEmpty)
                let remote = try #require(try await synced.truth().first { $0.id == conversation.id })
                #expect(remote.turns.filter { $0.role == "user" && $0.text == text }.count == 1)
            }
        }
    }

    @Test("status reads every account and, while a daemon runs, its phase and last error")
    func statusWithDaemonFile() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let setup = synced.setup
                try FileManager.default.createDirectory(at: setup.configFolder, withIntermediateDirectories: true)
                let accounts: [String: Any] = [
                    "accounts": [
                        "work": ["remote": synced.emulator.baseURL(.agentflow), "dialect": "agentflow", "agents": [], "db": synced.db],
                        "home": ["remote": synced.emulator.baseURL(.knowrithm), "dialect": "knowrithm", "agents": []],
                    ]
                ]
                try JSONSerialization.data(withJSONObject: accounts).write(to: setup.configFolder.appendingPathComponent("accounts.json"))
                try FileManager.default.createDirectory(at: setup.stateFolder, withIntermediateDirectories: true)
                // This test's own process stands in for a running daemon.
                let daemon: [String: Any] = [
                    "pid": Int(ProcessInfo.processInfo.processIdentifier),
                    "updated_at": Timestamp.format(Date()),
                    "accounts": [[
                        "name": "work", "dialect": "agentflow", "replica": synced.db, "phase": "listing", "online": false,
                        "lag_seconds": 42, "outbox_pending": 0, "outbox_failed": 0, "last_error": "the remote cannot be reached",
                        "last_error_code": "offline", "deletions_checked": true,
                    ]],
                ]
                try JSONSerialization.data(withJSONObject: daemon).write(to: setup.stateFolder.appendingPathComponent("status.json"))

                let all = try await Convosync.run(["status", "--json"], environment: synced.environment)
                #expect(all.status == 0, "\(all.standardError)")
                let reports = try #require(try SyncedReplica.document(all)["accounts"] as? [[String: Any]])
                #expect(reports.map { $0["account"] as? String } == ["home", "work"])
                let work = try #require(reports.last)
                #expect(work["phase"] as? String == "listing")
                #expect(work["online"] as? Bool == false)
                #expect(work["last_error"] as? String == "the remote cannot be reached")
                #expect(work["last_success"] is String)
                #expect((work["cursors"] as? [[String: Any]])?.isEmpty == false)
                #expect(reports.first?["problem"] as? String != nil)

                let one = try await Convosync.run(["status", "--account", "work"], environment: synced.environment)
                #expect(one.status == 0, "\(one.standardError)")
                #expect(one.output.contains("Last sync:  just now") || one.output.contains("min ago"))
                #expect(one.output.contains("listing · offline · lag 42 s"))
                #expect(one.output.contains("0 pending, 0 failed"))

                let unknown = try await Convosync.run(["status", "--account", "nope"], environment: synced.environment)
                #expect(unknown.status == 78)
            }
        }
    }

    @Test("gc removes only tombstones older than the cutoff and says how many")
    func gcCounts() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder) { synced in
                let ids = try await synced.truth().prefix(2).map(\.id)
                for id in ids {
                    let deleted = try await synced.run(["delete"], [id])
                    #expect(deleted.status == 0, "\(deleted.standardError)")
                }
                let kept = try await Convosync.run(["gc", "--db", synced.db, "--json"], environment: synced.environment)
                #expect(kept.status == 0, "\(kept.standardError)")
                #expect(try SyncedReplica.document(kept)["removed"] as? Int == 0)

                let removed = try await Convosync.run(["gc", "--db", synced.db, "--older-than", "0"], environment: synced.environment)
                #expect(removed.status == 0, "\(removed.standardError)")
                #expect(removed.output == "Removed 2 tombstones older than 0 days.\n")
                let rows = try DatabaseQueue(path: synced.db)
                let left = try await rows.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM conversation WHERE remote_id IN (?, ?)", arguments: [ids[0], ids[1]])
                }
                try rows.close()
                #expect(left == 0)

                let none = try await Convosync.run(["gc", "--db", synced.db, "--older-than", "0", "--json"], environment: synced.environment)
                #expect(try SyncedReplica.document(none)["removed"] as? Int == 0)
            }
        }
    }

    @Test("gc keeps the conversations a soft-deleting platform still serves (knowrithm), as the daemon does")
    func gcKeepsRemoteSoftDeletes() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.knowrithm, in: folder) { synced in
                let ids = try await synced.truth().prefix(2).map(\.id)
                for id in ids {
                    let deleted = try await synced.run(["delete"], [id])
                    #expect(deleted.status == 0, "\(deleted.standardError)")
                }
                let gc = try await Convosync.run(
                    ["gc", "--db", synced.db, "--older-than", "0", "--json"], environment: synced.environment)
                #expect(gc.status == 0, "\(gc.standardError)")
                #expect(try SyncedReplica.document(gc)["removed"] as? Int == 0)
                let rows = try DatabaseQueue(path: synced.db)
                let kept = try await rows.read { db in
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM conversation WHERE remote_id IN (?, ?) AND deleted_at IS NOT NULL",
                        arguments: [ids[0], ids[1]])
                }
                try rows.close()
                #expect(kept == 2)
            }
        }
    }
}
