import ConvoEmulator
import Foundation
import Testing

@Suite("admin routes")
struct AdminRoutesTests {
    @Test("admin mutations act as another client and show through every dialect")
    func mutationsShowEverywhere() async throws {
        try await EmulatorClient.with { client in
            let agent = client.agentIDs[0]
            let base = "/_emulator/tenants/acme/conversations"
            let created = try await client.send(.POST, nil, base, json: .make(["agent_id": .string(agent), "title": "From elsewhere", "source": "email"]), auth: .none)
            #expect(created.status == 201)
            let id = try #require(try created.json["id"]?.stringValue)
            let appended = try await client.send(.POST, nil, "\(base)/\(id)/turns", json: .make(["content": "Review the security review"]), auth: .none)
            #expect(appended.status == 201)
            let read = try await client.get(.agentflow, "/conversations/\(id)").json
            #expect(read["title"] == "From elsewhere")
            #expect(read["source"] == "email")
            #expect(read["message_count"] == 2)

            _ = try await client.send(.PATCH, nil, "\(base)/\(id)", json: .make(["title": "Renamed"]), auth: .none)
            let v2 = try await client.get(.v2, "/agents/\(agent)/conversations?limit=100").json["items"]?.arrayValue ?? []
            #expect(v2.first { $0["id"]?.stringValue == id }?["name"] == "Renamed")

            _ = try await client.send(.POST, nil, "\(base)/\(id)/delete", auth: .none)
            let deleted = try await client.get(.knowrithm, "/conversation/deleted?per_page=100").json["items"]?.arrayValue ?? []
            #expect(deleted.first { $0["id"]?.stringValue == id }?["deleted_at"] != .null)
            #expect(try await client.get(.agentflow, "/conversations/\(id)").status == 404)
            _ = try await client.send(.POST, nil, "\(base)/\(id)/restore", auth: .none)
            #expect(try await client.get(.agentflow, "/conversations/\(id)").status == 200)

            #expect(try await client.send(.DELETE, nil, "\(base)/\(id)", auth: .none).status == 204)
            #expect(try await client.get(.knowrithm, "/conversation/\(id)/messages").errorCode == "conversation_not_found")
            let truth = try await client.truth()
            #expect(truth["conversations"]?.arrayValue?.contains { $0["id"]?.stringValue == id } == false)
        }
    }

    @Test("admin routes are not mounted unless enabled")
    func disabledByDefault() async throws {
        try await EmulatorClient.with({ $0.adminEnabled = false }) { client in
            let response = try await client.get(nil, "/_emulator/truth", auth: .none)
            #expect(response.status == 404)
            #expect(response.errorCode == "route_not_found")
        }
    }
}
