import ConvoEmulator
import Foundation
import Testing

@Suite("turns dialect")
struct TurnsRoutesTests {
    @Test("offset paging gives every active conversation of the agent once, with all turns")
    func pagingWithTurns() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 300 }) { client in
            let agent = client.agentIDs[2]
            var seen: [String] = []
            var offset = 0
            var total = -1
            while true {
                let page = try await client.get(.turns, "/agents/\(agent)/conversations?offset=\(offset)&limit=25").json
                let info = try #require(page["pageInfo"])
                #expect(info["requestedPageSize"] == .int(25))
                #expect(info["requestedOffset"] == .int(Int64(offset)))
                total = Int(info["totalResultCount"]?.intValue ?? -1)
                let conversations = page["conversations"]?.arrayValue ?? []
                if conversations.isEmpty { break }
                for conversation in conversations {
                    seen.append(conversation["id"]?.stringValue ?? "")
                    for turn in conversation["turns"]?.arrayValue ?? [] {
                        let role = turn["role"]?.stringValue
                        #expect(role == "user" || role == "assistant")
                        if role == "user" { #expect(turn["state"] == "done") }
                        if role == "assistant" { #expect(turn["inReplyToId"]?.stringValue?.hasPrefix("msg_") == true) }
                        #expect(turn["messages"]?.arrayValue?.allSatisfy { $0["kind"] == "text" } == true)
                    }
                }
                offset += conversations.count
            }
            #expect(seen.count == total)
            #expect(Set(seen).count == seen.count)
            let truth = try await client.truth()
            let expected = (truth["conversations"]?.arrayValue ?? [])
                .filter { $0["deleted_at"] == .null && $0["agent_id"]?.stringValue == agent }
                .compactMap { $0["id"]?.stringValue }
            #expect(seen == expected)
        }
    }

    @Test("a default page holds 20, limits past 100 and negative offsets are refused")
    func pagingParameters() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 90 }) { client in
            let agent = client.agentIDs[0]
            let page = try await client.get(.turns, "/agents/\(agent)/conversations").json
            #expect(page["pageInfo"]?["requestedPageSize"] == .int(20))
            #expect(page["pageInfo"]?["requestedOffset"] == .int(0))
            for query in ["limit=101", "limit=0", "offset=-1", "limit=ten", "offset=1.5"] {
                let response = try await client.get(.turns, "/agents/\(agent)/conversations?\(query)")
                #expect(response.status == 400, "\(query)")
                #expect(response.errorCode == "invalid_request")
            }
        }
    }

    @Test("turns answers 401 without a key, 404 for another tenant's or an unknown agent, 405 for writes")
    func errors() async throws {
        try await EmulatorClient.with { client in
            let agent = client.agentIDs[0]
            #expect(try await client.get(.turns, "/agents/\(agent)/conversations", auth: .none).status == 401)
            let foreign = try await client.get(.turns, "/agents/\(agent)/conversations", auth: .bearer("globex-key"))
            #expect(foreign.status == 404)
            #expect(foreign.errorCode == "agent_not_found")
            #expect(try await client.get(.turns, "/agents/agent_nope/conversations").errorCode == "agent_not_found")
            let write = try await client.send(.POST, .turns, "/agents/\(agent)/conversations", json: .make(["x": 1]))
            #expect(write.status == 405)
            #expect(write.errorCode == "invalid_request")
        }
    }
}
