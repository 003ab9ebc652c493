import ConvoEmulator
import Foundation
import Testing

@Suite("knowrithm dialect")
struct KnowrithmRoutesTests {
    static func newConversation(_ client: EmulatorClient) async throws -> String {
        let created = try await client.send(.POST, .knowrithm, "/conversation", json: .make([
            "agent_id": .string(client.agentIDs[0]), "title": "Website widget session",
            "metadata": .object([("source", "web")]), "max_context_length": 4096,
        ]))
        #expect(created.status == 201)
        let json = try created.json
        #expect(json["metadata"]?["source"] == "web")
        #expect(json["max_context_length"] == 4096)
        #expect(json["deleted_at"] == .null)
        return try #require(json["id"]?.stringValue)
    }

    @Test("page-numbered listings cover every active conversation once with totals")
    func paging() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 250 }) { client in
            for listing in ["/conversation", "/conversation/entity"] {
                var seen: [String] = []
                var page = 1
                var pages = 1
                repeat {
                    let body = try await client.get(.knowrithm, "\(listing)?page=\(page)&per_page=40").json
                    #expect(body["page"] == .int(Int64(page)))
                    #expect(body["per_page"] == 40)
                    pages = Int(body["pages"]?.intValue ?? 0)
                    seen += body["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                    page += 1
                } while page <= pages
                let truth = try await client.truth()
                let active = (truth["conversations"]?.arrayValue ?? []).filter { $0["deleted_at"] == .null }.compactMap { $0["id"]?.stringValue }
                #expect(seen == active)
            }
            let deleted = try await client.get(.knowrithm, "/conversation/deleted?per_page=100").json
            #expect((deleted["items"]?.arrayValue ?? []).allSatisfy { $0["deleted_at"] != .null })
            #expect((deleted["total"]?.intValue ?? 0) > 0)
            for query in ["page=0", "per_page=0", "per_page=101", "page=x"] {
                #expect(try await client.get(.knowrithm, "/conversation?\(query)").status == 400)
            }
        }
    }

    @Test("soft delete and restore are idempotent, and a deleted conversation stays readable")
    func softDeleteRestore() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            for _ in 0..<2 {
                let deleted = try await client.send(.DELETE, .knowrithm, "/conversation/\(id)")
                #expect(deleted.status == 200)
                #expect(try deleted.json["deleted_at"] != .null)
            }
            #expect(try await client.get(.knowrithm, "/conversation/\(id)/messages").status == 200)
            #expect(try await client.get(.agentflow, "/conversations/\(id)").errorCode == "conversation_not_found")
            let listed = try await client.get(.knowrithm, "/conversation/deleted").json["items"]?.arrayValue ?? []
            #expect(listed.first { $0["id"]?.stringValue == id }?["deleted_at"] != .null)
            let chat = try await client.send(.POST, .knowrithm, "/conversation/\(id)/chat", json: .make(["message": "hello"]))
            #expect(chat.status == 422)
            for _ in 0..<2 {
                let restored = try await client.send(.PATCH, .knowrithm, "/conversation/\(id)/restore")
                #expect(try restored.json["deleted_at"] == .null)
            }
            #expect(try await client.get(.agentflow, "/conversations/\(id)").status == 200)
        }
    }

    @Test("chat returns the history of exchanges; messages soft-delete singly and in bulk")
    func chatAndMessages() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            _ = try await client.send(.POST, .knowrithm, "/conversation/\(id)/chat", json: .make(["message": "Review the marketing budget"]))
            let chat = try await client.send(.POST, .knowrithm, "/conversation/\(id)/chat", json: .make(["message": "And the EMEA expansion?"])).json
            let history = chat["history"]?.arrayValue ?? []
            #expect(history.count == 2)
            #expect(history[0]["user_message"] == "Review the marketing budget")
            #expect(history[1]["assistant_response"]?.stringValue?.isEmpty == false)

            let messages = try await client.get(.knowrithm, "/conversation/\(id)/messages?per_page=2&page=2").json
            #expect(messages["total"] == 4)
            let second = try #require(messages["items"]?.arrayValue?.first?["id"]?.stringValue)
            #expect(messages["items"]?.arrayValue?.first?["role"] == "user")
            for _ in 0..<2 {
                let deleted = try await client.send(.DELETE, .knowrithm, "/message/\(second)")
                #expect(try deleted.json["deleted_at"] != .null)
            }
            let listed = try await client.get(.knowrithm, "/conversation/\(id)/messages").json["items"]?.arrayValue ?? []
            #expect(listed.count == 4)
            #expect(listed.filter { $0["deleted_at"] != .null }.count == 1)
            let analytics = try await client.get(.knowrithm, "/analytics/conversation/\(id)").json
            #expect(analytics["message_statistics"]?["total_messages"] == 3)
            #expect(analytics["message_statistics"]?["user_message_count"] == 1)
            #expect(analytics["message_statistics"]?["agent_message_count"] == 2)
            _ = try await client.send(.PATCH, .knowrithm, "/message/\(second)/restore")
            let bulk = try await client.send(.DELETE, .knowrithm, "/conversation/\(id)/messages").json
            #expect(bulk["affected"] == 4)
            #expect(try await client.send(.DELETE, .knowrithm, "/conversation/\(id)/messages").json["affected"] == 0)
            #expect(try await client.send(.PATCH, .knowrithm, "/conversation/\(id)/messages/restore").json["affected"] == 4)
            #expect(try await client.send(.DELETE, .knowrithm, "/message/msg_0000000000000000").errorCode == "message_not_found")
        }
    }

    @Test("a streamed chat sends delta events and done with the message id")
    func streamedChat() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            var deltas: [String] = []
            var done: JSON?
            _ = try await client.stream(.POST, .knowrithm, "/conversation/\(id)/chat", json: .make(["message": "Draft an update on the support backlog"])) { event in
                let data = try JSON.parse(Data(event.data.utf8))
                if event.event == "done" { done = data } else { deltas.append(data["delta"]?.stringValue ?? "") }
                return true
            }
            let messages = try await client.get(.knowrithm, "/conversation/\(id)/messages").json["items"]?.arrayValue ?? []
            #expect(messages.last?["content"]?.stringValue == deltas.joined())
            #expect(messages.last?["id"] == done?["message_id"])
        }
    }

    @Test("knowrithm needs key and secret or a bearer key; other tenants get 404")
    func auth() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            let messages = "/conversation/\(id)/messages"
            #expect(try await client.get(.knowrithm, messages, auth: .bearer("dev-key")).status == 200)
            #expect(try await client.get(.knowrithm, messages, auth: .headers([("X-API-Key", "dev-key")])).status == 401)
            #expect(try await client.get(.knowrithm, messages, auth: .headers([("X-API-Key", "dev-key"), ("X-API-Secret", "nope")])).status == 401)
            let foreign = try await client.get(.knowrithm, messages, auth: .headers([("X-API-Key", "globex-key"), ("X-API-Secret", "globex-secret")]))
            #expect(foreign.status == 404)
            #expect(foreign.errorCode == "conversation_not_found")
            #expect(try await client.get(.knowrithm, "/analytics/conversation/conv_0000000000000000").errorCode == "conversation_not_found")
        }
    }
}
