import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

/// A replica made by `import` has no account until a sync binds it (an export does not say
/// where it came from).
@Suite("Replicas made by import")
struct UnboundReplicaTests {
    @Test("openForImport creates an unbound replica, mode 0600, that reads like any other")
    func importReplicaIsUnbound() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("imported.convosync").path
            let replica = try Replica.openForImport(at: path)
            #expect(replica.account == nil)
            try await replica.upsertConversations([ReplicaTesting.conversation("c1")], pass: nil, syncState: nil)
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
            #expect(mode.intValue & 0o777 == 0o600)
            try replica.close()
            let reader = try Replica.openExisting(at: path)
            #expect(reader.account == nil)
            #expect(try await reader.conversations(ConversationQuery()).total == 1)
        }
    }

    @Test("the first open for an account binds an imported replica, and then it refuses any other")
    func firstSyncBinds() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("imported.convosync").path
            try Replica.openForImport(at: path).close()
            let bound = try Replica.open(at: path, account: ReplicaTesting.account)
            #expect(bound.account == ReplicaTesting.account)
            try bound.close()
            #expect(try Replica.openExisting(at: path).account == ReplicaTesting.account)
            #expect(try Replica.openForImport(at: path).account == ReplicaTesting.account)
            let other = AccountBinding(baseURL: "https://other.example.com/v2", tenant: "globex", dialect: .v2)
            let error = try #require(throws: StoreError.self) { try Replica.open(at: path, account: other) }
            #expect(error.code == .accountMismatch)
        }
    }

    @Test("openForImport refuses a file that is not a replica and leaves it untouched")
    func importRefusesForeignFile() async throws {
        try await withTemporaryDirectory { folder in
            let copy = folder.appendingPathComponent("unrelated.sqlite")
            try FileManager.default.copyItem(at: Fixtures.url("unrelated.sqlite"), to: copy)
            let before = try Data(contentsOf: copy)
            let error = try #require(throws: StoreError.self) { try Replica.openForImport(at: copy.path) }
            #expect(error.code == .notAReplica)
            #expect(try Data(contentsOf: copy) == before)
        }
    }
}
