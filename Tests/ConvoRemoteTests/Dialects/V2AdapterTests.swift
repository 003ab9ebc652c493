import ConvoModel
import Foundation
import NIOCore
import Testing
import TestSupport

@testable import ConvoRemote

/// The v2 adapter call each fixture's operation names, with its path and query as arguments.
@Sendable func v2Call(_ api: any RemoteAPI, _ fixture: WireFixture) async throws -> Outcome {
    let query = fixture.queryItems
    let agent = fixture.segment(after: "agents")
    let conversation = fixture.segment(after: "conversations")
    let limit = query["limit"].flatMap(Int.init) ?? 20
    switch fixture.operation ?? "" {
    case "GET /agents":
        return .agents(try await api.agents(named: nil))
    case "GET /agents/{aid}/conversations":
        let position = query["next"].map(PagingPosition.cursor) ?? .start
        return .conversations(try await api.conversations(from: position, pageSize: limit, filter: .init(agentID: agent)))
    case "POST /agents/{aid}/conversations":
        return .conversation(
            try await api.createConversation(.init(agentID: agent, title: "Q3 reconciliation"), idempotencyKey: testKey("POST")))
    case "DELETE /agents/{aid}/conversations/{cid}":
        try await api.deleteConversation(conversation, idempotencyKey: testKey("DELETE"))
        return .done
    case "GET /agents/{aid}/conversations/{cid}/messages":
        return .turns(try await api.turns(of: conversation, from: .start, pageSize: limit))
    case "POST /agents/{aid}/conversations/{cid}/messages":
        return .sent(try await api.sendMessage("Which PO covers SKU 7781?", to: conversation, idempotencyKey: testKey("POST")))
    case "POST /agents/{aid}/conversations/{cid}/stream":
        return .replies(try await collect(api.streamReply(to: "Plan?", in: conversation, idempotencyKey: testKey("POST"))))
    case "GET /agents/{aid}/conversations/{cid}/files":
        return .files(try await api.files(of: conversation))
    case "POST /agents/{aid}/conversations/{cid}/files":
        let uploads = [
            FileUpload(filename: "invoice.pdf", contentType: "application/pdf", data: Data("%PDF-1.7".utf8)),
            FileUpload(filename: "../receipt\r\n.png", contentType: "image/png", data: Data([0x89, 0x50])),
        ]
        return .files(try await api.uploadFiles(uploads, to: conversation, idempotencyKey: testKey("POST")))
    case "GET /agents/{aid}/conversations/{cid}/files/download/":
        var data = Data()
        for try await chunk in try await api.downloadFile(ref: query["file_ref"] ?? "", of: conversation) {
            data.append(contentsOf: chunk.readableBytesView)
        }
        return .bytes(data)
    case "GET /agents/{aid}/conversations/{cid}/data-frames":
        return .frames(try await api.dataFrames(of: conversation, sampleCount: query["num_samples"].flatMap(Int.init) ?? 3))
    case "GET /agents/{aid}/conversations/{cid}/data-frames/{data_frame_name}":
        let dataQuery = DataFrameQuery(
            offset: query["offset"].flatMap(Int.init) ?? 0, limit: limit,
            columns: query["column_names"].map { $0.split(separator: ",").map(String.init) }, orderBy: query["order_by"])
        return .slice(try await api.dataFrame(named: fixture.segment(after: "data-frames"), of: conversation, query: dataQuery))
    default:
        throw RemoteError(.unsupported, endpoint: fixture.operation ?? "?")
    }
}

@Suite("v2 adapter", .serialized)
struct V2AdapterTests {
    /// The fixtures whose decoded values are spot-checked below.
    static let spotChecked: Set<String> = [
        "list_agents.json", "list_conversations.json", "list_conversations_last_page.json",
        "create_conversation.json", "list_messages.json", "send_message.json", "stream_reply.sse", "list_files.json",
        "download_file.bin", "list_data_frames.json", "get_data_frame.json",
    ]

    /// Fixtures the adapter reads: not the CSV rendering (it always asks for JSON) nor the
    /// two route-level error pages, which no adapter operation requests.
    static var fixtures: [WireFixture] {
        DialectSetup.fixtures(.v2).filter { $0.operation != nil && !$0.file.hasSuffix(".csv") }
    }

    @Test("every valid fixture decodes and every broken one fails typed, over correct requests", arguments: fixtures)
    func fixture(_ fixture: WireFixture) async throws {
        let result = try await replay(fixture, .v2, call: v2Call)
        if fixture.file == "broken/extra_conversation_field.json" {
            // A member the client does not know is ignored, so a platform adding a field
            // does not stop syncing (the contract still flags it: ContractTests).
            #expect(throws: Never.self) { _ = try result.get() }
            return
        }
        guard fixture.valid, fixture.status < 300 else {
            expectFailure(result, for: fixture)
            return
        }
        let outcome = try result.get()
        switch (fixture.file, outcome) {
        case ("list_agents.json", .agents(let agents)):
            #expect(agents.first == RemoteAgent(id: "agent_finance-assistant", name: "Finance Assistant"))
        case ("list_conversations.json", .conversations(let page)):
            #expect(page.items.count == 2)
            #expect(page.total == nil)
            #expect(page.next == .cursor("djE6Y29udl8y"))
            #expect(
                page.items.first?.conversation
                    == Conversation(id: "conv_29198fabceb270f8", agentID: "agent_finance-assistant", title: "Q3 reconciliation"))
        case ("list_conversations_last_page.json", .conversations(let page)):
            #expect(page.next == nil)
        case ("create_conversation.json", .conversation(let conversation)):
            #expect(conversation.id == "conv_3c4e8ae292ffa730")
            #expect(conversation.title == "Q3 reconciliation")
        case ("list_messages.json", .turns(let page)):
            #expect(page.items.count == 4)
            #expect(page.next == nil)
            #expect(page.items.first?.timestamp == date("2026-02-10T09:00:00Z"))
            #expect(page.items.first?.fragments == [Fragment(content: "Summarize the attached invoice.")])
        case ("send_message.json", .sent(let sent)):
            #expect(sent.replyID == "msg_c6e46f125d6eaf28")
            #expect(sent.replyText == "PO-5512, issued January 22 to Northwind Traders.")
            #expect(sent.turns?.count == 6)
            #expect(sent.turns?[1].timestamp == date("2026-02-10T09:00:03.905Z"))
        case ("stream_reply.sse", .replies(let events)):
            #expect(deltas(events) == ["Here is the plan:", "\n1. Match each line", " to a purchase order.\n2. Flag duplicates.", " Done"])
            #expect(
                events.last
                    == .finished(
                        messageID: "msg_8457509664f047eb",
                        text: "Here is the plan:\n1. Match each line to a purchase order.\n2. Flag duplicates. Done"))
        case ("list_files.json", .files(let files)):
            #expect(files.count == 6)
            #expect(
                files.first
                    == RemoteFile(ref: "file_f873e1da82c24295", name: "invoice.pdf", contentType: "application/pdf", size: 184213, direction: .input))
        case ("download_file.bin", .bytes(let data)):
            #expect(data == (try Fixtures.data("wire/v2/download_file.bin")))
        case ("list_data_frames.json", .frames(let frames)):
            #expect(frames.count == 2)
            #expect(frames.first?.name == "invoice_lines")
            #expect(frames.first?.rowCount == 42)
            #expect(frames.first?.columns.count == 5)
            #expect(frames.first?.samples.count == 3)
        case ("get_data_frame.json", .slice(let slice)):
            #expect(slice.columns == ["sku", "amount"])
            #expect(slice.rows == [[.string("7802"), .double(96.5)], [.string("7781"), .double(12.4)], [.string("7813"), .null]])
        default:
            #expect(!Self.spotChecked.contains(fixture.file), "\(fixture.file) gave an unexpected outcome")
        }
    }

    @Test("a negative file size or row_count is refused naming the field; a huge claim decodes for the content limits to refuse")
    func sizeClaims() throws {
        func response(_ text: String) -> RemoteResponse {
            RemoteResponse(status: 200, headers: [], body: ByteBuffer(string: text), endpoint: "GET /files")
        }
        let file = #"{"file_ref":"f1","name":"a.csv","content_type":"text/csv","size":SIZE,"direction":"output"}"#
        let negative = try #require(throws: RemoteError.self) {
            try response(#"{"files":[\#(file.replacingOccurrences(of: "SIZE", with: "-1"))]}"#).decode(V2Wire.FileList.self)
        }
        #expect(negative.code == .malformedResponse)
        #expect(negative.field == "$.files[0].size")
        let huge = try response(#"{"files":[\#(file.replacingOccurrences(of: "SIZE", with: "1000000000000"))]}"#)
            .decode(V2Wire.FileList.self)
        #expect(huge.files.first?.size == 1_000_000_000_000)

        let frame = #"{"name":"r","columns":["a"],"row_count":COUNT,"samples":[]}"#
        let negativeRows = try #require(throws: RemoteError.self) {
            try response(#"{"data_frames":[\#(frame.replacingOccurrences(of: "COUNT", with: "-5"))]}"#).decode(V2Wire.FrameList.self)
        }
        #expect(negativeRows.field == "$.data_frames[0].row_count")
        let hugeRows = try response(#"{"data_frames":[\#(frame.replacingOccurrences(of: "COUNT", with: "1000000000000"))]}"#)
            .decode(V2Wire.FrameList.self)
        #expect(hugeRows.frames.first?.rowCount == 1_000_000_000_000)
    }

    @Test("the upload is multipart with a repeated files field and hostile names quoted")
    func uploadShape() async throws {
        try await withAdapter(.v2) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.v2).first { $0.file == "upload_files.json" })
            server.answer(try Reply.fixture(.v2, fixture))
            _ = try await v2Call(api, fixture)
            let request = try #require(server.last)
            #expect(request.headers["content-type"]?.hasPrefix("multipart/form-data; boundary=") == true)
            let body = String(decoding: request.body, as: UTF8.self)
            #expect(body.components(separatedBy: "name=\"files\"").count == 3)
            #expect(body.contains("filename=\"../receipt%0D%0A.png\""))
        }
    }

    @Test("the conversation read confirms through the messages listing")
    func conversationRead() async throws {
        try await withAdapter(.v2) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.v2).first { $0.file == "error_not_found.json" })
            server.answer(try Reply.fixture(.v2, fixture))
            let error = await remoteError { _ = try await api.conversation(id: "conv_fabe152cbe9a58ed") }
            #expect(error?.isConversationNotFound == true)
            let request = try #require(server.last)
            #expect(request.path == "/agents/agent_finance-assistant/conversations/conv_fabe152cbe9a58ed/messages")
            #expect(request.queryItems["limit"] == "1")
            try expectContractShape(request, .v2)
        }
    }

    @Test("a conversation of an unknown agent is refused before sending when the account has several agents")
    func unknownAgent() async throws {
        let transport = HTTPTransport(
            baseURL: try #require(URL(string: "http://127.0.0.1:9/v2")), credentials: .bearer("t"), logger: DialectSetup.quiet)
        let account = RemoteAccount(
            baseURL: transport.baseURL, dialect: .v2, agentIDs: ["agent_a", "agent_b"], credentials: .bearer("t"))
        let api = V2Adapter(transport: transport, account: account)
        let error = await remoteError { _ = try await api.files(of: "conv_1") }
        #expect(error?.code == .invalidRequest)
        #expect(error?.field == "agentID")
        let listing = await remoteError { _ = try await api.conversations(from: .start, pageSize: 10, filter: .init()) }
        #expect(listing?.field == "filter.agentID")
        api.conversationAgents.remember(conversationID: "conv_1", agentID: "agent_b")
        #expect(api.conversationAgents.agent(of: "conv_1") == "agent_b")
        try await transport.shutdown()
    }
}

@Suite("v2 reply streams split anywhere", .serialized)
struct V2ReplySplitTests {
    @Test("multi-line and leading-space deltas join to the final text whatever the chunking", arguments: [1, 2, 3, 5, 11, 4096])
    func chunking(_ chunkSize: Int) async throws {
        try await withAdapter(.v2) { api, server in
            var reply = Reply(status: 200, contentType: "text/event-stream", body: try Fixtures.data("wire/v2/stream_reply.sse"))
            reply.chunkSize = chunkSize
            server.answer(reply)
            let events = try await collect(
                api.streamReply(to: "Plan?", in: "conv_29198fabceb270f8", idempotencyKey: testKey("POST")))
            let text = "Here is the plan:\n1. Match each line to a purchase order.\n2. Flag duplicates. Done"
            #expect(deltas(events).joined() == text)
            #expect(events.last == .finished(messageID: "msg_8457509664f047eb", text: text))
            #expect(server.requests.count == 1)
        }
    }
}
