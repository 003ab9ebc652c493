import AsyncHTTPClient
import ConvoEmulator
import Foundation
import Testing

@Suite("agentflow dialect")
struct AgentFlowRoutesTests {
    @Test("agents are listed and found by name")
    func agentsByName() async throws {
        try await EmulatorClient.with { client in
            let all = try await client.get(.agentflow, "/agents")
            #expect(all.status == 200)
            #expect(try all.json["agents"]?.arrayValue?.count == 3)
            let main = try await client.get(.agentflow, "/agents?name=MainAgent").json
            let agents = try #require(main["agents"]?.arrayValue)
            #expect(agents.count == 1)
            #expect(agents.first?["name"]?.stringValue == "MainAgent")
            #expect(try await client.get(.agentflow, "/agents", auth: .none).status == 401)
            #expect(try await client.get(.agentflow, "/agents", auth: .bearer("wrong")).errorCode == "unauthorized")
        }
    }

    @Test("a conversation is created, read, renamed, titled and hard-deleted")
    func conversationLifecycle() async throws {
        try await EmulatorClient.with { client in
            let agent = client.agentIDs[0]
            let created = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(agent)]))
            #expect(created.status == 201)
            let id = try #require(try created.json["id"]?.stringValue)
            #expect(id.hasPrefix("conv_") && id.count == 21)
            #expect(try created.json["message_count"] == .int(0))
            #expect(try created.json["title"] == .null)

            let sent = try await client.send(.POST, .agentflow, "/conversations/\(id)/messages", json: .make(["content": "Can you summarize the Acme renewal?"]))
            #expect(sent.status == 200)
            let text = try #require(try sent.json["text"]?.stringValue)
            #expect(text.contains("Acme renewal"))

            let read = try await client.get(.agentflow, "/conversations/\(id)").json
            let messages = try #require(read["messages"]?.arrayValue)
            #expect(messages.count == 2)
            #expect(messages[0]["role"]?.stringValue == "user")
            #expect(messages[1]["content"]?.stringValue == text)
            #expect(messages[1]["id"]?.stringValue == (try sent.json["message_id"]?.stringValue))
            #expect(read["message_count"] == .int(2))

            let titled = try await client.send(.POST, .agentflow, "/conversations/\(id)/title", json: .make(["seed_message": "renewal plan for Acme, please", "force": false]))
            #expect(try titled.json["title"]?.stringValue == "Renewal plan for Acme please")
            let kept = try await client.send(.POST, .agentflow, "/conversations/\(id)/title", json: .make(["seed_message": "something else"]))
            #expect(try kept.json["title"]?.stringValue == "Renewal plan for Acme please")

            let renamed = try await client.send(.PATCH, .agentflow, "/conversations/\(id)", json: .make(["title": "Acme renewal"]))
            #expect(try renamed.json["title"]?.stringValue == "Acme renewal")

            let deleted = try await client.send(.DELETE, .agentflow, "/conversations/\(id)")
            #expect(deleted.status == 204)
            let gone = try await client.get(.agentflow, "/conversations/\(id)")
            #expect(gone.status == 404)
            #expect(gone.errorCode == "conversation_not_found")
        }
    }

    @Test("another tenant's conversation and unknown ids answer 404 conversation_not_found")
    func isolation() async throws {
        try await EmulatorClient.with { client in
            let globex = try await client.get(.agentflow, "/conversations", auth: .bearer("globex-key")).json
            let foreign = try #require(globex["conversations"]?.arrayValue?.first?["id"]?.stringValue)
            for path in ["/conversations/\(foreign)", "/conversations/conv_0000000000000000"] {
                let response = try await client.get(.agentflow, path)
                #expect(response.status == 404)
                #expect(response.errorCode == "conversation_not_found")
            }
            let rename = try await client.send(.PATCH, .agentflow, "/conversations/\(foreign)", json: .make(["title": "mine"]))
            #expect(rename.errorCode == "conversation_not_found")
            let delete = try await client.send(.DELETE, .agentflow, "/conversations/\(foreign)")
            #expect(delete.errorCode == "conversation_not_found")
            let create = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": "agent_nope"]))
            #expect(create.errorCode == "agent_not_found")
        }
    }

    @Test("cursor paging visits every active conversation once in updated_at order")
    func pagingVisitsEachOnce() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 300 }) { client in
            var seen: [String] = []
            var cursor: String?
            var previous: (String, String)?
            repeat {
                let path = "/conversations?limit=37" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await client.get(.agentflow, path).json
                for conversation in page["conversations"]?.arrayValue ?? [] {
                    let key = (conversation["updated_at"]?.stringValue ?? "", conversation["id"]?.stringValue ?? "")
                    if let previous { #expect(previous.0 > key.0 || (previous.0 == key.0 && previous.1 > key.1)) }
                    previous = key
                    seen.append(key.1)
                }
                #expect(page["total"]?.intValue == Int64(page["total"]?.intValue ?? -1))
                cursor = page["next_cursor"]?.stringValue
            } while cursor != nil
            let truth = try await client.truth()
            let active = (truth["conversations"]?.arrayValue ?? []).filter { $0["deleted_at"] == .null }.compactMap { $0["id"]?.stringValue }
            #expect(seen.count == Set(seen).count)
            #expect(Set(seen) == Set(active))
            #expect(active.count > 250)
        }
    }

    @Test("filters narrow the listing and total counts the matches")
    func filters() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 120 }) { client in
            let agent = client.agentIDs[1]
            let byAgent = try await client.get(.agentflow, "/conversations?limit=100&agent_id=\(agent)").json
            let items = byAgent["conversations"]?.arrayValue ?? []
            #expect(!items.isEmpty)
            #expect(items.allSatisfy { $0["agent_id"]?.stringValue == agent })
            let slack = try await client.get(.agentflow, "/conversations?limit=5&source=slack").json
            #expect((slack["conversations"]?.arrayValue ?? []).allSatisfy { $0["source"]?.stringValue == "slack" })
            #expect((slack["total"]?.intValue ?? 0) > 5)
            let noSlack = try await client.get(.agentflow, "/conversations?limit=100&exclude_source=slack").json
            #expect((noSlack["conversations"]?.arrayValue ?? []).allSatisfy { $0["source"]?.stringValue != "slack" })
            let allUsers = try await client.get(.agentflow, "/conversations?all_users=true")
            #expect(allUsers.status == 400)
            #expect(allUsers.errorCode == "invalid_request")
            let refs = items.compactMap { $0["source_ref_id"]?.stringValue }
            let ref = try #require(refs.first)
            let byRef = try await client.get(.agentflow, "/conversations?all_users=true&source_ref_id=\(ref)").json
            #expect((byRef["conversations"]?.arrayValue ?? []).allSatisfy { $0["source_ref_id"]?.stringValue == ref })
        }
    }

    @Test("search matches titles and message content case-insensitively")
    func search() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 80 }) { client in
            let agent = client.agentIDs[0]
            let created = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(agent)])).json
            let id = try #require(created["id"]?.stringValue)
            _ = try await client.send(.POST, .agentflow, "/conversations/\(id)/messages", json: .make(["content": "Zebra crossing budget 100%_done"]))
            let found = try await client.get(.agentflow, "/conversations/search?q=zEBRA&limit=10").json
            #expect(found["conversations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == [id])
            #expect(found["total"] == .int(1))
            let literal = try await client.get(.agentflow, "/conversations/search?q=100%25_").json
            #expect(literal["total"] == .int(1))
            #expect(try await client.get(.agentflow, "/conversations/search").status == 400)
        }
    }

    @Test("a streamed reply arrives as run_started, text deltas and final_response")
    func streamedReply() async throws {
        try await EmulatorClient.with { client in
            let id = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])])).json["id"]?.stringValue)
            var events: [TestEvent] = []
            let result = try await client.stream(.POST, .agentflow, "/conversations/\(id)/stream", json: .make(["content": "Review the pricing page"])) { event in
                events.append(event)
                return true
            }
            #expect(result.status == 200 && result.completed)
            #expect(events.first?.event == "run_started")
            #expect(events.last?.event == "final_response")
            let deltas = events.filter { $0.event == "text_delta" }.compactMap { try? JSON.parse(Data($0.data.utf8))["text"]?.stringValue }
            #expect(deltas.count > 10)
            let final = try JSON.parse(Data(try #require(events.last).data.utf8))
            #expect(final["text"]?.stringValue == deltas.joined())
            let read = try await client.get(.agentflow, "/conversations/\(id)").json
            #expect(read["messages"]?.arrayValue?.last?["content"]?.stringValue == deltas.joined())
            #expect(read["messages"]?.arrayValue?.last?["id"] == final["message_id"])
        }
    }

    @Test("cancelling a run ends the stream with run_cancelled and the reply stopped; the turn is in-progress while it streams")
    func cancelStopsRun() async throws {
        try await EmulatorClient.with({ $0.deltaInterval = .milliseconds(30) }) { client in
            let id = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])])).json["id"]?.stringValue)
            var deltas: [String] = []
            var runID: String?
            var cancelled: JSON?
            var sawInProgress = false
            let prompt = JSON.make(["content": "Explain the churn forecast"])
            let result = try await client.stream(.POST, .agentflow, "/conversations/\(id)/stream", json: prompt) { event in
                if event.event == "run_started" {
                    let started = try #require(try JSON.parse(Data(event.data.utf8))["run_id"]?.stringValue)
                    runID = started
                    #expect(started.hasPrefix("run_"))
                    let agent = try await client.get(.turns, "/agents/\(client.agentIDs[0])/conversations?limit=100").json
                    let turns = agent["conversations"]?.arrayValue?.first { $0["id"]?.stringValue == id }?["turns"]?.arrayValue ?? []
                    sawInProgress = turns.last?["state"]?.stringValue == "in-progress"
                        && turns.last?["messages"]?.arrayValue?.last?["state"]?.stringValue == "in-progress"
                    let cancel = try await client.send(.POST, .agentflow, "/conversations/\(id)/runs/\(started)/cancel")
                    #expect(cancel.status == 204)
                    #expect(cancel.body.isEmpty)
                }
                if event.event == "run_cancelled" {
                    cancelled = try JSON.parse(Data(event.data.utf8))
                }
                if event.event == "text_delta" {
                    deltas.append(try JSON.parse(Data(event.data.utf8))["text"]?.stringValue ?? "")
                }
                #expect(event.event != "final_response")
                return true
            }
            #expect(result.status == 200 && result.completed)
            #expect(sawInProgress)
            let ended = try #require(cancelled)
            #expect(ended["run_id"]?.stringValue == runID)
            #expect(ended["text"]?.stringValue == deltas.joined())
            let truth = try await client.truth()
            let conversation = truth["conversations"]?.arrayValue?.first { $0["id"]?.stringValue == id }
            let stopped = conversation?["turns"]?.arrayValue?.last
            #expect(stopped?["state"]?.stringValue == "stopped")
            let storedText = (stopped?["fragments"]?.arrayValue ?? []).compactMap { $0["content"]?.stringValue }.joined(separator: "\n\n")
            #expect(storedText == deltas.joined())

            // The same prompt answered in full is longer than what the cancelled run produced.
            let other = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])])).json["id"]?.stringValue)
            let full = try await client.send(.POST, .agentflow, "/conversations/\(other)/messages", json: prompt).json["text"]?.stringValue ?? ""
            #expect(full.hasPrefix(deltas.joined()))
            #expect(full.count > deltas.joined().count)
            let unknown = try await client.send(.POST, .agentflow, "/conversations/\(id)/runs/run_0000000000000000/cancel")
            #expect(unknown.status == 404)
        }
    }
}
