import ConvoEmulator
import Foundation
import Testing

@Suite("agentflow watch")
struct WatchTests {
    /// Creates a conversation and returns its id.
    static func newConversation(_ client: EmulatorClient) async throws -> String {
        let created = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])]))
        return try #require(try created.json["id"]?.stringValue)
    }

    @Test("a watch sends the latest snapshot, then new snapshots live")
    func liveSnapshots() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            var updates: [TestEvent] = []
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch") { event in
                guard !event.isComment else { return true }
                updates.append(event)
                if updates.count == 1 {
                    _ = try await client.send(.PATCH, .agentflow, "/conversations/\(id)", json: .make(["title": "Live title"]))
                }
                return updates.count < 2
            }
            #expect(updates.map(\.event) == ["conversation_update", "conversation_update"])
            let first = try #require(Int(updates[0].id ?? ""))
            let second = try #require(Int(updates[1].id ?? ""))
            #expect(second > first)
            let body = try JSON.parse(Data(updates[1].data.utf8))
            #expect(body["title"]?.stringValue == "Live title")
            #expect(body["id"]?.stringValue == id)
            #expect(body["messages"]?.arrayValue != nil)
        }
    }

    @Test("reconnecting with Last-Event-ID or last_event_id resumes after that snapshot")
    func resumeAfterLastEventID() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            var firstID = ""
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch") { event in
                firstID = event.id ?? ""
                return false
            }
            for title in ["one", "two", "three"] {
                _ = try await client.send(.PATCH, .agentflow, "/conversations/\(id)", json: .make(["title": .string(title)]))
            }
            for header in [true, false] {
                var titles: [String] = []
                var ids: [Int] = []
                let path = "/conversations/\(id)/watch" + (header ? "" : "?last_event_id=\(firstID)")
                _ = try await client.stream(.GET, .agentflow, path, headers: header ? [("Last-Event-ID", firstID)] : []) { event in
                    guard event.event == "conversation_update" else { return true }
                    titles.append(try JSON.parse(Data(event.data.utf8))["title"]?.stringValue ?? "")
                    ids.append(Int(event.id ?? "") ?? -1)
                    return titles.count < 3
                }
                #expect(titles == ["one", "two", "three"])
                #expect(ids == ids.sorted() && (ids.first ?? 0) > (Int(firstID) ?? 0))
            }
            for query in ["abc", "", "+1", "-1"] {
                let bad = try await client.get(.agentflow, "/conversations/\(id)/watch?last_event_id=\(query)")
                #expect(bad.status == 400, "last_event_id=\(query)")
            }
            // A well-formed header does not hide a malformed query parameter.
            let mixed = try await client.get(.agentflow, "/conversations/\(id)/watch?last_event_id=x", headers: [("Last-Event-ID", firstID)])
            #expect(mixed.status == 400)
        }
    }

    @Test("an id older than the retention gets reset and then the latest snapshot")
    func expiredIDResets() async throws {
        try await EmulatorClient.with({ $0.snapshotRetention = 3 }) { client in
            let id = try await Self.newConversation(client)
            for index in 1...6 {
                _ = try await client.send(.PATCH, .agentflow, "/conversations/\(id)", json: .make(["title": .string("title \(index)")]))
            }
            var events: [TestEvent] = []
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch", headers: [("Last-Event-ID", "1")]) { event in
                guard !event.isComment else { return true }
                events.append(event)
                return events.count < 2
            }
            #expect(events.map(\.event) == ["reset", "conversation_update"])
            #expect(try JSON.parse(Data(events[0].data.utf8))["last_event_id"]?.stringValue == "1")
            #expect(try JSON.parse(Data(events[1].data.utf8))["title"]?.stringValue == "title 6")
            #expect(events[1].id == "7")
        }
    }

    @Test("a hard delete ends the watch with a deleted event")
    func deleteEndsWatch() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            var events: [String] = []
            let result = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch") { event in
                guard !event.isComment else { return true }
                events.append(event.event)
                if events.count == 1 {
                    let deleted = try await client.send(.DELETE, .agentflow, "/conversations/\(id)")
                    #expect(deleted.status == 204)
                }
                return true
            }
            #expect(result.completed)
            #expect(events == ["conversation_update", "deleted"])
            #expect(try await client.get(.agentflow, "/conversations/\(id)/watch").errorCode == "conversation_not_found")
        }
    }

    @Test("an idle watch gets keep-alive comments")
    func keepAlive() async throws {
        try await EmulatorClient.with({ $0.keepAliveInterval = .milliseconds(20) }) { client in
            let id = try await Self.newConversation(client)
            var comments: [String] = []
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch") { event in
                if event.isComment { comments.append(event.data) }
                return comments.count < 2
            }
            #expect(comments == [" keep-alive", " keep-alive"])
        }
    }

    @Test("a soft delete made through another dialect ends an agentflow watch with deleted")
    func softDeleteEndsWatch() async throws {
        try await EmulatorClient.with { client in
            let id = try await Self.newConversation(client)
            var events: [String] = []
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch") { event in
                guard !event.isComment else { return true }
                events.append(event.event)
                if events.count == 1 {
                    let deleted = try await client.send(.DELETE, .knowrithm, "/conversation/\(id)")
                    #expect(deleted.status == 200)
                }
                return true
            }
            #expect(events == ["conversation_update", "deleted"])
        }
    }
}
