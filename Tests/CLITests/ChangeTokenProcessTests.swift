import ConvoModel
import EmulatorSupport
import Foundation
import GRDB
import Testing
import TestSupport

/// The change tokens a sync stores must be the same in every process: a token that depends on
/// a dictionary's iteration order (seeded per process) makes every conversation look changed
/// after each restart, so each daemon start rewrites the whole replica.
@Suite("Change tokens across processes")
struct ChangeTokenProcessTests {
    @Test("three processes syncing the same tenant store the same change token for every conversation, metadata with several keys included")
    func tokensAgreeAcrossProcesses() async throws {
        try await withTemporaryDirectory { folder in
            // The turns dialect lists turns with the conversations: its tokens hash every
            // fragment, the metadata of the replies' first fragments among them.
            try await SyncedReplica.with(.turns, in: folder, conversations: 12) { synced in
                var replicas = [synced.db]
                for name in ["second", "third"] {
                    let db = folder.appendingPathComponent("\(name).convosync").path
                    var arguments = synced.accountArguments
                    let dbFlag = try #require(arguments.firstIndex(of: "--db"))
                    arguments[dbFlag + 1] = db
                    let sync = try await Convosync.run(["sync"] + arguments, environment: synced.environment)
                    try #require(sync.status == 0, "\(sync.standardError)")
                    replicas.append(db)
                }
                let tokens = try replicas.map(Self.changeTokens)
                #expect(tokens[0].count >= 10)
                #expect(tokens[0].values.allSatisfy { $0.hasPrefix("h:") })
                #expect(tokens[1] == tokens[0])
                #expect(tokens[2] == tokens[0])
                #expect(try Self.widestFragmentMetadata(synced.db) >= 3, "the test needs metadata whose order can differ")
            }
        }
    }

    /// Each conversation's stored change token, by remote id.
    private static func changeTokens(_ path: String) throws -> [String: String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT remote_id, content_hash FROM conversation WHERE content_hash IS NOT NULL")
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["remote_id"] as String, $0["content_hash"] as String) })
        }
    }

    /// The most keys any stored fragment's metadata object has.
    private static func widestFragmentMetadata(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            let metadata = try String.fetchAll(db, sql: "SELECT metadata FROM fragment WHERE metadata IS NOT NULL")
            return try metadata.map { text -> Int in
                guard case .object(let members) = try JSONValue.parse(text) else { return 0 }
                return members.count
            }.max() ?? 0
        }
    }
}
