import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Opening a replica")
struct ReplicaOpeningTests {
    static let account = AccountBinding(baseURL: "https://api.example.com/v1", dialect: .agentflow)

    @Test("a fresh replica is created with mode 0600 and bound to its account")
    func freshReplicaIsPrivateAndBound() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("r.convosync").path
            let replica = try Replica.open(at: path, account: Self.account)
            #expect(replica.account == Self.account)
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)
            #expect(mode.intValue & 0o777 == 0o600)
            try replica.close()
            let reopened = try Replica.openExisting(at: path)
            #expect(reopened.account == Self.account)
        }
    }
}
