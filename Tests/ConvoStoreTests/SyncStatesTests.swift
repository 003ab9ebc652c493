import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Sync states listing")
struct SyncStatesTests {
    typealias T = ReplicaTesting

    @Test("syncStates lists every scope by name, as written, and a read-only replica can list them")
    func listsEveryScope() async throws {
        try await T.withReplica { replica in
            #expect(try await replica.syncStates().isEmpty)
            try await replica.setSyncState(SyncStateUpdate(scope: "watch:c1", lastEventID: .set("17")))
            try await replica.setSyncState(SyncStateUpdate(scope: "conversations", cursor: .set("page-3"), passGeneration: .set(2)))
            try await replica.setSyncState(SyncStateUpdate(scope: "messages:c1", offset: .set(40)))
            let states = try await replica.syncStates()
            #expect(states.map(\.scope) == ["conversations", "messages:c1", "watch:c1"])
            #expect(states[0].cursor == "page-3")
            #expect(states[0].passGeneration == 2)
            #expect(states[1].offset == 40)
            #expect(states[2].lastEventID == "17")

            var configuration = ReplicaConfiguration()
            configuration.readonly = true
            let reader = try Replica.openExisting(at: replica.path, configuration: configuration)
            #expect(try await reader.syncStates() == states)
            try reader.close()
        }
    }
}
