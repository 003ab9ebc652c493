import AsyncHTTPClient
import ConvoEmulator
import Foundation
import Testing

@Suite("v2 dialect")
struct V2RoutesTests {
    static func newConversation(_ client: EmulatorClient, name: String = "Planning") async throws -> (agent: String, id: String) {
        let agent = client.agentIDs[0]
        let created = try await client.send(.POST, .v2, "/agents/\(agent)/conversations", json: .make(["name": .string(name)]))
        #expect(created.status == 201)
        let json = try created.json
        #expect(Set(json.objectKeys) == ["id", "name", "agent_id"])
        return (agent, try #require(json["id"]?.stringValue))
    }

    @Test("agents are listed per tenant with a next token")
    func agents() async throws {
        try await EmulatorClient.with { client in
            var ids: [String] = []
            var next: String?
            repeat {
                let page = try await client.get(.v2, "/agents?limit=2" + (next.map { "&next=\($0)" } ?? "")).json
                ids += page["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
                next = page["next"]?.stringValue
            } while next != nil
            #expect(ids == client.agentIDs)
        }
    }

    @Test("conversations page oldest first by next token, each once")
    func paging() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 300 }) { client in
            let agent = client.agentIDs[1]
            var seen: [String] = []
            var next: String?
            repeat {
                let page = try await client.get(.v2, "/agents/\(agent)/conversations?limit=30" + (next.map { "&next=\($0)" } ?? "")).json
                for item in page["items"]?.arrayValue ?? [] {
                    #expect(item["agent_id"]?.stringValue == agent)
                    seen.append(item["id"]?.stringValue ?? "")
                }
                next = page["next"]?.stringValue
            } while next != nil
            let truth = try await client.truth()
            let expected = (truth["conversations"]?.arrayValue ?? [])
                .filter { $0["deleted_at"] == .null && $0["agent_id"]?.stringValue == agent }
                .compactMap { $0["id"]?.stringValue }
            #expect(seen == expected)
        }
    }

    @Test("messages are sent, listed oldest first and the conversation is hard-deleted")
    func messagesAndDelete() async throws {
        try await EmulatorClient.with { client in
            let (agent, id) = try await Self.newConversation(client)
            let base = "/agents/\(agent)/conversations/\(id)"
            let sent = try await client.send(.POST, .v2, base + "/messages", json: .make(["content": "Check the status of the SSO rollout"])).json
            #expect(sent["conversation"]?["name"] == "Planning")
            #expect(sent["messages"]?.arrayValue?.count == 2)
            _ = try await client.send(.POST, .v2, base + "/messages", json: .make(["content": "And the hiring plan?"]))
            var contents: [String] = []
            var next: String?
            repeat {
                let page = try await client.get(.v2, base + "/messages?limit=1" + (next.map { "&next=\($0)" } ?? "")).json
                for item in page["items"]?.arrayValue ?? [] {
                    #expect(Set(item.objectKeys) == ["id", "role", "content", "created_at"])
                    contents.append(item["content"]?.stringValue ?? "")
                }
                next = page["next"]?.stringValue
            } while next != nil
            #expect(contents.count == 4)
            #expect(contents[0] == "Check the status of the SSO rollout")
            #expect(contents[2] == "And the hiring plan?")
            let deleted = try await client.send(.DELETE, .v2, base)
            #expect(deleted.status == 200)
            #expect(try deleted.json["id"]?.stringValue == id)
            #expect(try await client.get(.v2, base + "/messages").errorCode == "conversation_not_found")
        }
    }

    @Test("a streamed reply is raw text deltas (multi-line, leading spaces kept) ending with done")
    func streamFraming() async throws {
        try await EmulatorClient.with { client in
            let (agent, id) = try await Self.newConversation(client)
            var deltas: [String] = []
            var done: JSON?
            _ = try await client.stream(.POST, .v2, "/agents/\(agent)/conversations/\(id)/stream", json: .make(["content": "Summarize the Q3 pipeline"])) { event in
                if event.event == "done" { done = try JSON.parse(Data(event.data.utf8)) } else { deltas.append(event.data) }
                return true
            }
            #expect(deltas.contains { $0.hasPrefix(" ") })
            #expect(deltas.contains { $0.hasPrefix("\n\n") })
            let messages = try await client.get(.v2, "/agents/\(agent)/conversations/\(id)/messages").json["items"]?.arrayValue ?? []
            #expect(messages.last?["content"]?.stringValue == deltas.joined())
            #expect(messages.last?["id"] == done?["message_id"])
        }
    }

    @Test("files upload as repeated multipart fields, list with sizes and download by file_ref")
    func files() async throws {
        try await EmulatorClient.with { client in
            let (agent, id) = try await Self.newConversation(client)
            let base = "/agents/\(agent)/conversations/\(id)/files"
            let boundary = "XyZ123boundary"
            let hostile = "../../etc/passwd\u{01}" + String(repeating: "é", count: 150)
            var body = Data()
            for (name, bytes) in [("notes.txt", Data("hello".utf8)), (hostile, Data([0, 1, 2, 255])), ("notes.txt", Data("again".utf8))] {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\(name)\"\r\nContent-Type: application/octet-stream\r\n\r\n".utf8))
                body.append(bytes)
                body.append(Data("\r\n".utf8))
            }
            body.append(Data("--\(boundary)--\r\n".utf8))
            let upload = try await client.send(.POST, .v2, base, body: body, contentType: "multipart/form-data; boundary=\(boundary)")
            #expect(upload.status == 201)
            let listed = try await client.get(.v2, base).json["files"]?.arrayValue ?? []
            #expect(listed.count == 3)
            #expect(listed.map { $0["name"]?.stringValue } == ["notes.txt", hostile, "notes.txt"])
            #expect(listed.map { $0["size"]?.intValue } == [5, 4, 5])
            #expect(listed.allSatisfy { $0["direction"] == "input" })
            let ref = try #require(listed[1]["file_ref"]?.stringValue)
            let download = try await client.get(.v2, base + "/download/?file_ref=\(ref)")
            #expect(download.status == 200)
            #expect(download.body == Data([0, 1, 2, 255]))
            #expect(try await client.get(.v2, base + "/download/?file_ref=file_0000000000000000").errorCode == "file_not_found")
            let notMultipart = try await client.send(.POST, .v2, base, json: .make(["files": "x"]))
            #expect(notMultipart.status == 400)
        }
    }

    @Test("a report prompt produces a data frame that slices, selects, orders and renders csv")
    func dataFrames() async throws {
        try await EmulatorClient.with { client in
            let (agent, id) = try await Self.newConversation(client)
            let base = "/agents/\(agent)/conversations/\(id)"
            _ = try await client.send(.POST, .v2, base + "/messages", json: .make(["content": "Put the open opportunities in a table"]))
            let frames = try await client.get(.v2, base + "/data-frames?num_samples=2").json["data_frames"]?.arrayValue ?? []
            let frame = try #require(frames.first)
            #expect(frame["columns"]?.arrayValue == ["account", "stage", "amount", "probability"])
            #expect(frame["samples"]?.arrayValue?.count == 2)
            let name = try #require(frame["name"]?.stringValue)
            let rowCount = try #require(frame["row_count"]?.intValue)
            let sliced = try await client.get(.v2, base + "/data-frames/\(name)?offset=1&limit=3&column_names=amount,account&order_by=-amount").json
            let rows = sliced["rows"]?.arrayValue ?? []
            #expect(rows.count == 3)
            #expect(sliced["columns"]?.arrayValue == ["amount", "account"])
            let amounts = rows.compactMap { $0.arrayValue?.first?.intValue }
            #expect(amounts == amounts.sorted(by: >))
            let csv = try await client.get(.v2, base + "/data-frames/\(name)?limit=100&output_format=csv")
            #expect(csv.headers.first(name: "content-type") == "text/csv")
            let lines = String(decoding: csv.body, as: UTF8.self).split(separator: "\r\n")
            #expect(lines.first == "account,stage,amount,probability")
            #expect(lines.count == Int(rowCount) + 1)
            #expect(try await client.get(.v2, base + "/data-frames/\(name)?column_names=nope").status == 400)
            #expect(try await client.get(.v2, base + "/data-frames/\(name)?output_format=xml").status == 400)
            #expect(try await client.get(.v2, base + "/data-frames/missing").errorCode == "data_frame_not_found")
            let files = try await client.get(.v2, base + "/files").json["files"]?.arrayValue ?? []
            #expect(files.contains { $0["direction"] == "output" && $0["content_type"] == "text/csv" })
        }
    }

    @Test("v2 answers 401 for a wrong key or another tenant's path, 404 across tenants and agents")
    func errors() async throws {
        try await EmulatorClient.with { client in
            let (agent, id) = try await Self.newConversation(client)
            #expect(try await client.get(.v2, "/agents", auth: .none).status == 401)
            #expect(try await client.get(.v2, "/agents", auth: .bearer("globex-key")).status == 401)
            let otherAgent = client.agentIDs[1]
            #expect(try await client.get(.v2, "/agents/\(otherAgent)/conversations/\(id)/messages").errorCode == "conversation_not_found")
            #expect(try await client.get(.v2, "/agents/agent_nope/conversations").errorCode == "agent_not_found")
            let globexBase = client.emulator.addresses.origin + "/v2/tenants/globex/api/v2"
            var request = HTTPClientRequest(url: globexBase + "/agents")
            request.headers.add(name: "Authorization", value: "Bearer globex-key")
            let globexAgents = try JSON.parse(Data(try await HTTPClient.shared.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 20).readableBytesView))
            let globexAgent = try #require(globexAgents["items"]?.arrayValue?.first?["id"]?.stringValue)
            var foreign = HTTPClientRequest(url: globexBase + "/agents/\(globexAgent)/conversations/\(id)/messages")
            foreign.headers.add(name: "Authorization", value: "Bearer globex-key")
            #expect(try await HTTPClient.shared.execute(foreign, timeout: .seconds(10)).status.code == 404)
            _ = agent
        }
    }
}

extension JSON {
    /// The member names of an object (a parsed body lists them sorted).
    var objectKeys: [String] {
        if case .object(let members) = self { return members.map(\.0) }
        return []
    }
}
