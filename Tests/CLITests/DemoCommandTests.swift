import ConvoStore
import Foundation
import Testing
import TestSupport

/// `convosync demo`, the README's first command, run the way a newcomer runs it.
@Suite("convosync demo")
struct DemoCommandTests {
    @Test("the demo syncs, searches, queues writes offline, flushes them and leaves a sound replica")
    func demoRunsEndToEnd() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("demo.convosync").path
            let result = try await Convosync.run(
                ["demo", "--db", db, "--conversations", "40"], environment: SyncSetup(folder: folder).baseEnvironment,
                timeout: .seconds(600))
            #expect(result.status == 0, "\(result.standardError)")
            #expect(result.output.contains("conversations synced"))
            #expect(result.output.contains("4 writes queued"))
            #expect(result.output.contains("pushed 4 writes; 0 left in the outbox"))
            #expect(result.output.contains("convosync search --db \(db)"))
            // The search the demo suggests finds the message it queued offline.
            let suggested = try await Convosync.run(["search", "--db", db, "\"renewal email\""])
            #expect(suggested.output.contains("renewal email"))
            let replica = try Replica.openExisting(at: db)
            #expect(try await replica.integrityCheck() == [])
            #expect(try await replica.pendingOutbox().isEmpty)
            #expect(try await replica.conversations(ConversationQuery()).total >= 30)
        }
    }

    @Test("the demo refuses to replace a file that is not a replica")
    func demoKeepsForeignFiles() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("precious.txt")
            try Data("not a replica".utf8).write(to: db)
            let result = try await Convosync.run(["demo", "--db", db.path], environment: SyncSetup(folder: folder).baseEnvironment)
            #expect(result.status == 65)
            #expect(try String(contentsOf: db, encoding: .utf8) == "not a replica")
        }
    }
}
