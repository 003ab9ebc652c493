import ConvoModel
@testable import ConvoStore
import Foundation
import GRDB
import Testing
import TestSupport

@Suite("Opening a replica")
struct ReplicaOpeningTests {
    static let account = ReplicaTesting.account

    @Test("a fresh replica is created with mode 0600, its WAL and SHM too, and bound to its account")
    func freshReplicaIsPrivateAndBound() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("r.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            #expect(replica.account == Self.account)
            try await replica.upsertConversations([ReplicaTesting.conversation("c1")], pass: nil, syncState: nil)
            for file in [path, path + "-wal", path + "-shm"] {
                let mode = try #require(FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? NSNumber)
                #expect(mode.intValue & 0o777 == 0o600, "\(URL(fileURLWithPath: file).lastPathComponent)")
            }
            try replica.close()
            let reopened = try Replica.openExisting(at: path)
            #expect(reopened.account == Self.account)
            let again = try Replica.open(at: path, account: AccountBinding(baseURL: "https://api.example.com/v1/", dialect: .agentflow))
            #expect(try await again.conversations(ConversationQuery()).total == 1)
        }
    }

    @Test("opening a missing file for reading is noSuchReplica and creates nothing")
    func missingFileIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("absent.convosync").path
            let error = try #require(throws: StoreError.self) { try Replica.openExisting(at: path) }
            #expect(error.code == .noSuchReplica)
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    @Test("a file that is not SQLite is refused as notAReplica and left byte for byte", arguments: [false, true])
    func nonSQLiteFileIsRefused(forWriting: Bool) async throws {
        try await expectRefusal(of: "not-a-database.txt", code: .notAReplica, forWriting: forWriting)
    }

    @Test("an unrelated SQLite database is refused as notAReplica and left byte for byte", arguments: [false, true])
    func unrelatedSQLiteIsRefused(forWriting: Bool) async throws {
        try await expectRefusal(of: "unrelated.sqlite", code: .notAReplica, forWriting: forWriting)
    }

    @Test("a file left by a process killed before its first migration committed is fresh: opened, migrated and bound")
    func fileKilledBeforeFirstMigrationIsFresh() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("killed.convosync").path
            // What the migrator commits before the first migration: its own, empty, table.
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
            }
            try queue.close()

            let reading = try #require(throws: StoreError.self) { try Replica.openExisting(at: path) }
            #expect(reading.code == .notAReplica && reading.message.contains("empty"))
            let replica = try Replica.open(at: path, account: Self.account)
            #expect(replica.account == Self.account)
            try await replica.upsertConversations([ReplicaTesting.conversation("c1")], pass: nil, syncState: nil)
            #expect(try await replica.conversations(ConversationQuery()).total == 1)
            try replica.close()
        }
    }

    @Test("a SQLite file holding only a table named like the migrator's, with rows, is still refused as notAReplica")
    func foreignMigrationsTableIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("foreign.sqlite").path
            let queue = try DatabaseQueue(path: path)
            try await queue.write { db in
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('their app v1')")
            }
            try queue.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) { try Replica.open(at: path, account: Self.account) }
            #expect(error.code == .notAReplica)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("a replica migrated by a newer schema is refused as newerSchema and left byte for byte", arguments: [false, true])
    func newerSchemaIsRefused(forWriting: Bool) async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("future.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            try await ReplicaTesting.execute("INSERT INTO grdb_migrations (identifier) VALUES ('v99 from the future')", in: replica)
            try replica.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) {
                if forWriting {
                    _ = try Replica.open(at: path, account: Self.account)
                } else {
                    _ = try Replica.openExisting(at: path)
                }
            }
            #expect(error.code == .newerSchema)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        }
    }

    @Test("opening a replica for another account is accountMismatch and leaves it untouched", arguments: [
        AccountBinding(baseURL: "https://other.example.com/v1", dialect: .agentflow),
        AccountBinding(baseURL: "https://api.example.com/v1", tenant: "acme", dialect: .agentflow),
        AccountBinding(baseURL: "https://api.example.com/v1", dialect: .knowrithm),
    ])
    func otherAccountIsRefused(other: AccountBinding) async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("mine.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            try await replica.upsertConversations([ReplicaTesting.conversation("c1")], pass: nil, syncState: nil)
            try replica.close()
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) { try Replica.open(at: path, account: other) }
            #expect(error.code == .accountMismatch)
            #expect(!error.description.contains("other.example.com"))
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            #expect(try Replica.openExisting(at: path).account == Self.account)
        }
    }

    @Test("a read-only replica reads and refuses writes with readonly")
    func readonlyReplicaRefusesWrites() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("r.convosync").path
            let writer = try Replica.open(at: path, account: Self.account)
            try await writer.upsertConversations([ReplicaTesting.conversation("c1")], pass: nil, syncState: nil)
            try writer.close()
            var configuration = ReplicaConfiguration()
            configuration.readonly = true
            let reader = try Replica.openExisting(at: path, configuration: configuration)
            #expect(try await reader.conversations(ConversationQuery()).total == 1)
            let error = try await #require(throws: StoreError.self) {
                try await reader.upsertConversations([ReplicaTesting.conversation("c2")], pass: nil, syncState: nil)
            }
            #expect(error.code == .readonly)
        }
    }

    @Test("two replicas on one file, like the daemon and the CLI, both write: the busy timeout makes one wait")
    func twoWritersShareOneFile() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("shared.convosync").path
            let daemon = try Replica.open(at: path, account: Self.account)
            let cli = try Replica.open(at: path, account: Self.account)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (name, replica) in [("daemon", daemon), ("cli", cli)] {
                    group.addTask {
                        for index in 0..<40 {
                            try await replica.upsertConversations(
                                [ReplicaTesting.conversation("\(name)-\(index)")], pass: nil,
                                syncState: SyncStateUpdate(scope: name, offset: .set(Int64(index))))
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await daemon.conversations(ConversationQuery()).total == 80)
            #expect(try await daemon.syncState(scope: "cli")?.offset == 39)
        }
    }

    private func expectRefusal(of fixture: String, code: StoreError.Code, forWriting: Bool) async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent(fixture).path
            try FileManager.default.copyItem(at: Fixtures.url(fixture), to: URL(fileURLWithPath: path))
            let before = try Data(contentsOf: URL(fileURLWithPath: path))
            let error = try #require(throws: StoreError.self) {
                if forWriting {
                    _ = try Replica.open(at: path, account: Self.account)
                } else {
                    _ = try Replica.openExisting(at: path)
                }
            }
            #expect(error.code == code)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != fixture }
            #expect(leftovers.isEmpty, "no -wal or -shm appears next to a foreign file")
        }
    }

    @Test("every connection the replica opens has secure_delete on, readers included")
    func secureDeleteOnEveryConnection() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("r.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            #expect(try await replica.writing { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
            #expect(try await replica.reading { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
            try replica.close()
            var readOnly = ReplicaConfiguration()
            readOnly.readonly = true
            let reader = try Replica.openExisting(at: path, configuration: readOnly)
            #expect(try await reader.reading { db in try Int.fetchOne(db, sql: "PRAGMA secure_delete") } == 1)
            try reader.close()
        }
    }

    @Test("a purged conversation's text is nowhere in the replica file or its WAL once checkpointed")
    func purgedTextLeavesNoBytes() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("r.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            // Unique, lowercase (as the search index stores its terms) and long enough to be unmistakable.
            let marker = "zqxmarkerpurge7731"
            let kept = "keptmarkerstays4410"
            try await replica.upsertConversations(
                [ReplicaTesting.conversation("c1", title: "Title \(marker)"), ReplicaTesting.conversation("c2", title: kept)],
                pass: nil, syncState: nil)
            let turns = (0..<40).map { index in
                ReplicaTesting.turn("t\(index)", "fragment \(index) of \(marker) " + String(repeating: "filler text ", count: 40))
            }
            try await replica.replaceTurns(conversationID: "c1", turns: turns, syncState: nil)
            try await replica.replaceTurns(conversationID: "c2", turns: [ReplicaTesting.turn("k1", kept)], syncState: nil)
            _ = try await replica.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            #expect(try Self.occurrences(of: marker, inFilesAt: path) > 0)

            try await replica.markPurged(conversationID: "c1", at: Date(), syncState: nil)
            _ = try await replica.pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
            #expect(try Self.occurrences(of: marker, inFilesAt: path) == 0)
            #expect(try Self.occurrences(of: kept, inFilesAt: path) > 0)
            #expect(try await replica.search(kept).count == 2)  // its title and its message
            #expect(try await replica.search(marker).isEmpty)
            try replica.close()
            #expect(try Self.occurrences(of: marker, inFilesAt: path) == 0)
        }
    }

    @Test("purges in quick succession are all cleared from the file by close at the latest")
    func quickPurgesClearedByClose() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("r.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            let markers = ["firstpurgedword5521", "secondpurgedword8830", "thirdpurgedword1207"]
            let conversations = markers.enumerated().map { ReplicaTesting.conversation("c\($0.offset)", title: $0.element) }
            try await replica.upsertConversations(conversations, pass: nil, syncState: nil)
            for (index, word) in markers.enumerated() {
                try await replica.replaceTurns(
                    conversationID: "c\(index)", turns: [ReplicaTesting.turn("t\(index)", "about \(word)")], syncState: nil)
            }
            // A search first: a reader connection is open, and may be the last to close.
            #expect(try await replica.search("about").count == markers.count)
            for index in markers.indices {
                try await replica.markPurged(conversationID: "c\(index)", at: Date(), syncState: nil)
            }
            try replica.close()
            for word in markers {
                #expect(try Self.occurrences(of: word, inFilesAt: path) == 0, "\(word)")
            }
        }
    }

    /// How often `marker`'s bytes occur in the replica file and its -wal (read raw).
    private static func occurrences(of marker: String, inFilesAt path: String) throws -> Int {
        let needle = Data(marker.utf8)
        var count = 0
        for file in [path, path + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            var range = data.startIndex..<data.endIndex
            while let found = data.range(of: needle, in: range) {
                count += 1
                range = found.upperBound..<data.endIndex
            }
        }
        return count
    }
}
