import ConvoModel
import Foundation
import Testing
import TestSupport

@testable import ConvoRemote

/// The agentflow adapter call each fixture's operation names, with its path and query as arguments.
@Sendable func agentflowCall(_ api: any RemoteAPI, _ fixture: WireFixture) async throws -> Outcome {
    let query = fixture.queryItems
    let id = fixture.segment(after: "conversations")
    switch fixture.operation ?? "" {
    case "GET /agents":
        return .agents(try await api.agents(named: query["name"]))
    case "GET /conversations":
        let filter = ConversationFilter(
            agentID: query["agent_id"], source: query["source"], sourceRefID: query["source_ref_id"],
            excludeSource: query["exclude_source"], allUsers: query["all_users"] == "true")
        let position = query["cursor"].map(PagingPosition.cursor) ?? .start
        return .conversations(
            try await api.conversations(from: position, pageSize: query["limit"].flatMap(Int.init) ?? 20, filter: filter))
    case "GET /conversations/search":
        return .conversations(
            try await api.conversations(
                from: .start, pageSize: query["limit"].flatMap(Int.init) ?? 20, filter: .init(query: query["q"])))
    case "POST /conversations":
        return .conversation(try await api.createConversation(.init(agentID: "agent_mainagent"), idempotencyKey: testKey("POST")))
    case "GET /conversations/{id}":
        return .snapshot(try await api.conversation(id: id))
    case "PATCH /conversations/{id}":
        return .conversation(
            try await api.renameConversation(id, to: "Q3 Revenue Analysis (final)", idempotencyKey: testKey("PATCH")))
    case "DELETE /conversations/{id}":
        try await api.deleteConversation(id, idempotencyKey: testKey("DELETE"))
        return .done
    case "POST /conversations/{id}/messages":
        return .sent(try await api.sendMessage("How many open opportunities?", to: id, idempotencyKey: testKey("POST")))
    case "POST /conversations/{id}/title":
        return .title(
            try await api.generateTitle(for: id, seedMessage: "Q3 pipeline", force: true, idempotencyKey: testKey("POST")))
    case "POST /conversations/{id}/runs/{run_id}/cancel":
        try await api.cancelRun(fixture.segment(after: "runs"), in: id, idempotencyKey: testKey("POST"))
        return .done
    case "POST /conversations/{id}/stream":
        return .replies(try await collect(api.streamReply(to: "Hello", in: id, idempotencyKey: testKey("POST"))))
    case "GET /conversations/{id}/watch":
        let count = max(1, try eventCount(.agentflow, fixture.file))
        return .watch(try await collect(api.watch(conversationID: id, lastEventID: query["last_event_id"]), limit: count))
    default:
        throw RemoteError(.unsupported, endpoint: fixture.operation ?? "?")
    }
}

@Suite("agentflow adapter", .serialized)
struct AgentFlowAdapterTests {
    /// The fixtures whose decoded values are spot-checked below.
    static let spotChecked: Set<String> = [
        "list_agents_by_name.json", "list_conversations.json", "list_conversations_last_page.json",
        "create_conversation.json", "get_conversation.json", "get_conversation_empty.json", "send_message.json",
        "generate_title.json", "update_conversation.json", "stream_reply.sse", "stream_cancelled.sse", "watch.sse",
        "watch_reset.sse", "watch_deleted.sse",
    ]

    @Test("every valid fixture decodes and every broken one fails typed, over correct requests",
          arguments: DialectSetup.fixtures(.agentflow))
    func fixture(_ fixture: WireFixture) async throws {
        let result = try await replay(fixture, .agentflow, call: agentflowCall)
        if fixture.file == "broken/non_utc_time.json" {
            #expect(throws: Never.self) { _ = try result.get() }  // accepted: see acceptsOffsets()
            return
        }
        if fixture.file == "broken/unknown_field.json" {
            // A member the client does not know is ignored, so a platform adding a field
            // does not stop syncing (the contract still flags it: ContractTests).
            #expect(throws: Never.self) { _ = try result.get() }
            return
        }
        if fixture.file == "broken/watch_missing_id.sse" {
            // A snapshot without an id still lands, with no position to store (the contract
            // flags it; a lying platform's ids that SSE ignores look the same).
            let outcome = try result.get()
            guard case .watch(let events) = outcome, case .snapshot(nil, let snapshot)? = events.first else {
                Issue.record("expected a snapshot without an event id, got \(outcome)")
                return
            }
            #expect(snapshot.conversation.id == "conv_6ea1b4decbe99b86")
            return
        }
        guard fixture.valid, fixture.status < 300 else {
            expectFailure(result, for: fixture)
            return
        }
        let outcome = try result.get()
        switch (fixture.file, outcome) {
        case ("list_agents_by_name.json", .agents(let agents)):
            #expect(agents == [RemoteAgent(id: "agent_mainagent", name: "MainAgent")])
        case ("list_conversations.json", .conversations(let page)):
            #expect(page.items.count == 3)
            #expect(page.total == 4)
            #expect(page.next == .cursor("djE6MjAyNi0wMy0wMVQwODowMDowMFo6Y29udl85"))
            let first = try #require(page.items.first)
            #expect(first.turns == nil)
            #expect(first.conversation.id == "conv_6ea1b4decbe99b86")
            #expect(first.conversation.title == "Acme renewal terms")
            #expect(first.conversation.source == "web")
            #expect(first.conversation.sourceRefID == "user-4411")
            #expect(first.conversation.messageCount == 6)
            #expect(first.conversation.updatedAt == date("2026-03-01T09:30:00.250Z"))
        case ("list_conversations_last_page.json", .conversations(let page)):
            #expect(page.next == nil)
            #expect(page.items.first?.conversation.messageCount == nil)
            #expect(page.items.first?.conversation.createdAt == date("2026-02-20T17:45:09.120Z"))
        case ("create_conversation.json", .conversation(let conversation)):
            #expect(conversation.id == "conv_69e462d01a1d2122")
            #expect(conversation.title == nil)
            #expect(conversation.sourceRefID == nil)
            #expect(conversation.messageCount == 0)
        case ("get_conversation.json", .snapshot(let snapshot)):
            let turns = try #require(snapshot.turns)
            #expect(turns.count == 6)
            #expect(turns.first?.role == .user)
            #expect(turns.first?.fragments == [Fragment(content: "What does the Acme renewal look like this year?")])
            #expect(turns.allSatisfy { $0.fragments.count == 1 && $0.fragments[0].state == nil })
        case ("get_conversation_empty.json", .snapshot(let snapshot)):
            #expect(snapshot.turns == [])
        case ("send_message.json", .sent(let sent)):
            #expect(sent.replyID == "msg_6b646cc3722e3565")
            #expect(sent.replyText?.hasPrefix("You have 14 open opportunities") == true)
        case ("generate_title.json", .title(let title)):
            #expect(title == "Q3 pipeline overview")
        case ("update_conversation.json", .conversation(let conversation)):
            #expect(conversation.title == "Q3 Revenue Analysis (final)")
        case ("stream_reply.sse", .replies(let events)):
            guard case .started = try #require(events.first) else {
                Issue.record("no run_started first")
                return
            }
            guard case .finished(let messageID, let text) = try #require(events.last) else {
                Issue.record("no final_response")
                return
            }
            #expect(messageID != nil)
            #expect(deltas(events).joined() == text)
        case ("stream_cancelled.sse", .replies(let events)):
            #expect(events == [.started(runID: "run_28a18695140ec9f4"), .delta("You have "), .delta("14 open opportunities"), .stopped])
        case ("watch.sse", .watch(let events)):
            #expect(snapshotIDs(events) == ["41", "42", "43"])
            if case .snapshot(_, let snapshot) = try #require(events.first) {
                #expect(snapshot.conversation.id == "conv_6ea1b4decbe99b86")
                #expect(snapshot.turns != nil)
            }
        case ("watch_reset.sse", .watch(let events)):
            #expect(events.first == .reset)
            #expect(events.count == 2)
            if case .snapshot(let id, _) = try #require(events.last) { #expect(id == "43") } else { Issue.record("no snapshot after reset") }
        case ("watch_deleted.sse", .watch(let events)):
            #expect(events.last == .deleted(conversationID: "conv_6ea1b4decbe99b86"))
        default:
            #expect(!Self.spotChecked.contains(fixture.file), "\(fixture.file) gave an unexpected outcome")
        }
    }

    @Test("clients accept any RFC 3339 offset, as the contract asks of them")
    func acceptsOffsets() async throws {
        let fixture = try #require(DialectSetup.fixtures(.agentflow).first { $0.file == "broken/non_utc_time.json" })
        let outcome = try await replay(fixture, .agentflow, call: agentflowCall).get()
        guard case .conversations(let page) = outcome else {
            Issue.record("not a listing")
            return
        }
        #expect(page.items.first?.conversation.updatedAt == date("2026-03-01T09:30:00.250Z"))
    }

    @Test("watch resumes with Last-Event-ID and last_event_id")
    func watchResumes() async throws {
        try await withAdapter(.agentflow) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.agentflow).first { $0.file == "watch_reset.sse" })
            server.answer(try Reply.fixture(.agentflow, fixture))
            let events = try await collect(api.watch(conversationID: "conv_6ea1b4decbe99b86", lastEventID: "7"), limit: 2)
            #expect(events.first == .reset)
            let request = try #require(server.requests.first)
            #expect(request.headers["last-event-id"] == "7")
            #expect(request.queryItems["last_event_id"] == "7")
            #expect(request.headers["accept"] == "text/event-stream")
            try expectContractShape(request, .agentflow)
        }
    }

    @Test("a reply stream cut before its last event fails and is not sent again")
    func replyNeverResent() async throws {
        try await withAdapter(.agentflow) { api, server in
            let text = "event: run_started\ndata: {\"run_id\":\"run_28a18695140ec9f4\"}\n\nevent: text_delta\ndata: {\"text\":\"Hi\"}\n\n"
            server.answer(Reply(status: 200, contentType: "text/event-stream", body: Data(text.utf8), chunkSize: 5))
            let stream = try await api.streamReply(to: "Hello", in: "conv_5213834457fb218a", idempotencyKey: testKey("POST"))
            var events: [ReplyEvent] = []
            let error = await remoteError {
                for try await event in stream { events.append(event) }
            }
            #expect(events == [.started(runID: "run_28a18695140ec9f4"), .delta("Hi")])
            #expect(error?.code == .network)
            #expect(server.requests.count == 1)
        }
    }

    @Test("a search combined with another filter is unsupported and sends nothing")
    func searchTakesNoFilter() async throws {
        try await withOfflineAdapter(.agentflow) { api in
            let error = await remoteError {
                _ = try await api.conversations(from: .start, pageSize: 10, filter: .init(source: "web", query: "acme"))
            }
            #expect(error?.code == .unsupported)
            #expect(error?.field == "filter.source")
            let wrongPosition = await remoteError {
                _ = try await api.conversations(from: .page(2), pageSize: 10, filter: .init())
            }
            #expect(wrongPosition?.code == .invalidRequest)
        }
    }
}
