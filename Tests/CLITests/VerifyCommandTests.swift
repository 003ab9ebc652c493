import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import GRDB
import Testing
import TestSupport

/// `convosync verify` run as a child process against an in-process emulator.
@Suite("convosync verify")
struct VerifyCommandTests {
    @Test("a synced replica verifies equal (exit 0); after hand edits verify names them (exit 1); --repair makes it equal", arguments: [Dialect.agentflow, .turns])
    func verifyFindsAndRepairsHandEdits(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(dialect, in: folder, conversations: 8) { synced in
                let equal = try await synced.run(["verify"])
                #expect(equal.status == 0, "\(equal.standardError)")
                #expect(equal.output.hasPrefix("Equal to"), "\(equal.output)")

                let ids = try await synced.truth().filter { !$0.deleted }.map(\.id)
                let queue = try DatabaseQueue(path: synced.db)
                try await queue.write { db in
                    try db.execute(sql: "DELETE FROM conversation WHERE remote_id = ?", arguments: [ids[0]])
                    try db.execute(
                        sql: "UPDATE conversation SET title = 'Renamed by hand' WHERE remote_id = ?", arguments: [ids[1]])
                }
                try queue.close()

                let differs = try await synced.run(["verify", "--json"])
                #expect(differs.status == 1, "\(differs.standardError)")
                let document = try SyncedReplica.document(differs)
                #expect(document["equal"] as? Bool == false)
                let findings = try #require(document["findings"] as? [[String: Any]])
                let named = findings.map { "\($0["kind"] as? String ?? "") \($0["conversation_id"] as? String ?? "")" }.sorted()
                #expect(named == ["differs \(ids[1])", "missing_locally \(ids[0])"].sorted())
                #expect(findings.first { $0["kind"] as? String == "differs" }?["fields"] as? [String] == ["title"])

                let human = try await synced.run(["verify"])
                #expect(human.status == 1)
                #expect(human.output.contains("missing locally  \(ids[0])"), "\(human.output)")
                #expect(human.output.contains("differs          \(ids[1]): title"), "\(human.output)")

                let repaired = try await synced.run(["verify", "--repair"])
                #expect(repaired.status == 0, "\(repaired.standardError)\n\(repaired.output)")
                #expect(repaired.output.hasPrefix("Equal to"), "\(repaired.output)")
                #expect(repaired.output.contains("after repairing 2"), "\(repaired.output)")
                let again = try await synced.run(["verify"])
                #expect(again.status == 0)
            }
        }
    }

    @Test("verify without a replica exits 66 and creates nothing")
    func verifyNeedsAReplica() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("absent.convosync").path
                let result = try await Convosync.run(
                    ["verify", "--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator)),
                    environment: setup.environment(.agentflow, on: emulator))
                #expect(result.status == 66, "\(result.standardError)")
                #expect(!FileManager.default.fileExists(atPath: db))
            }
        }
    }
}
