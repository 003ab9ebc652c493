import ConvoModel
import Foundation
import Testing
import TestSupport

@testable import ConvoRemote

/// The knowrithm adapter call each fixture's operation names, with its path and query as arguments.
@Sendable func knowrithmCall(_ api: any RemoteAPI, _ fixture: WireFixture) async throws -> Outcome {
    let query = fixture.queryItems
    let id = fixture.segment(after: "conversation")
    let position = query["page"].flatMap(Int.init).map(PagingPosition.page) ?? .start
    let size = query["per_page"].flatMap(Int.init) ?? 20
    let knowrithm = try #require(api as? KnowrithmAdapter)
    switch fixture.operation ?? "" {
    case "GET /conversation":
        return .conversations(try await api.conversations(from: position, pageSize: size, filter: .init()))
    case "GET /conversation/entity":
        return .deletedConversations(try await knowrithm.entityConversations(from: position, pageSize: size))
    case "GET /conversation/deleted":
        return .deletedConversations(try await api.deletedConversations(from: position, pageSize: size))
    case "POST /conversation":
        let draft = ConversationDraft(
            agentID: "agent_support-bot", title: "Website widget session",
            metadata: .object(["source": .string("pricing-page")]))
        return .conversation(try await api.createConversation(draft, idempotencyKey: testKey("POST")))
    case "DELETE /conversation/{id}":
        try await api.deleteConversation(id, idempotencyKey: testKey("DELETE"))
        return .done
    case "PATCH /conversation/{id}/restore":
        try await api.restoreConversation(id, idempotencyKey: testKey("PATCH"))
        return .done
    case "GET /conversation/{id}/messages":
        return .turns(try await api.turns(of: id, from: position, pageSize: size))
    case "DELETE /conversation/{id}/messages":
        try await api.deleteAllMessages(in: id, idempotencyKey: testKey("DELETE"))
        return .done
    case "PATCH /conversation/{id}/messages/restore":
        try await api.restoreAllMessages(in: id, idempotencyKey: testKey("PATCH"))
        return .done
    case "DELETE /message/{id}":
        try await api.deleteMessage(fixture.segment(after: "message"), in: "conv_3c7458b7353d8976", idempotencyKey: testKey("DELETE"))
        return .done
    case "PATCH /message/{id}/restore":
        try await api.restoreMessage(fixture.segment(after: "message"), in: "conv_3c7458b7353d8976", idempotencyKey: testKey("PATCH"))
        return .done
    case "POST /conversation/{id}/chat" where fixture.contentType == "text/event-stream":
        return .replies(try await collect(api.streamReply(to: "Nonprofit discount?", in: id, idempotencyKey: testKey("POST"))))
    case "POST /conversation/{id}/chat":
        return .sent(try await api.sendMessage("Nonprofit discount?", to: id, idempotencyKey: testKey("POST")))
    default:
        throw RemoteError(.unsupported, endpoint: fixture.operation ?? "?")
    }
}

@Suite("knowrithm adapter", .serialized)
struct KnowrithmAdapterTests {
    /// The fixtures whose decoded values are spot-checked below.
    static let spotChecked: Set<String> = [
        "list_conversations.json", "list_conversations_past_end.json", "list_deleted_conversations.json",
        "create_conversation.json", "list_messages.json", "chat.json",
        "stream_chat.sse",
    ]

    /// Fixtures of operations the port has (analytics is not part of it).
    static var fixtures: [WireFixture] {
        DialectSetup.fixtures(.knowrithm).filter { !($0.operation ?? "").hasPrefix("GET /analytics") }
    }

    @Test("every valid fixture decodes and every broken one fails typed, over correct requests", arguments: fixtures)
    func fixture(_ fixture: WireFixture) async throws {
        let result = try await replay(fixture, .knowrithm, call: knowrithmCall)
        if fixture.file == "broken/zero_milliseconds.json" {
            // The contract asks clients to accept any RFC 3339 precision.
            #expect(throws: Never.self) { _ = try result.get() }
            return
        }
        guard fixture.valid, fixture.status < 300 else {
            expectFailure(result, for: fixture)
            return
        }
        let outcome = try result.get()
        switch (fixture.file, outcome) {
        case ("list_conversations.json", .conversations(let page)):
            #expect(page.items.count == 2)
            #expect(page.total == 3)
            #expect(page.next == .page(2))
            let first = try #require(page.items.first?.conversation)
            #expect(first.id == "conv_3c7458b7353d8976")
            #expect(first.metadata == .object(["source": .string("pricing-page"), "crm_id": .string("0065g00000XyZ12")]))
            #expect(first.maxContextLength == 40)
            #expect(first.deletedAt == nil)
        case ("list_conversations_past_end.json", .conversations(let page)):
            #expect(page.items.isEmpty)
            #expect(page.next == nil)
            #expect(page.total == 2)
        case ("list_deleted_conversations.json", .deletedConversations(let page)):
            #expect(page.items.first?.deletedAt == date("2026-02-01T12:00:00Z"))
            #expect(page.items.first?.metadata == .object([:]))
            #expect(page.items.first?.createdAt == date("2026-01-16T08:30:00.500Z"))
        case ("create_conversation.json", .conversation(let conversation)):
            #expect(conversation.id == "conv_a29fe7f241f57774")
            #expect(conversation.agentID == "agent_support-bot")
        case ("list_messages.json", .turns(let page)):
            #expect(page.items.count == 4)
            #expect(page.total == 4)
            #expect(page.next == nil)
            #expect(page.items.first?.role == .user)
            #expect(page.items.first?.fragments.count == 1)
        case ("chat.json", .sent(let sent)):
            #expect(sent.replyText == "Nonprofits get an extra 20% off any annual plan once verified.")
            #expect(sent.replyID == nil)
        case ("stream_chat.sse", .replies(let events)):
            #expect(
                events == [
                    .delta("Nonprofits get "), .delta("an extra 20% off"), .delta(" any annual plan"), .delta(" once verified."),
                    .finished(messageID: "msg_5558c41881947ac8", text: "Nonprofits get an extra 20% off any annual plan once verified."),
                ])
        default:
            #expect(!Self.spotChecked.contains(fixture.file), "\(fixture.file) gave an unexpected outcome")
        }
    }

    @Test("the streamed chat asks for an event stream and sends the message once")
    func streamedChatShape() async throws {
        try await withAdapter(.knowrithm) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.knowrithm).first { $0.file == "stream_chat.sse" })
            server.answer(try Reply.fixture(.knowrithm, fixture))
            _ = try await knowrithmCall(api, fixture)
            let request = try #require(server.last)
            #expect(server.requests.count == 1)
            #expect(request.headers["accept"] == "text/event-stream")
            #expect(String(decoding: request.body, as: UTF8.self) == #"{"message":"Nonprofit discount?"}"#)
        }
    }

    @Test("a draft whose metadata is not an object is refused before sending")
    func badDraft() async throws {
        try await withOfflineAdapter(.knowrithm) { api in
            let error = await remoteError {
                _ = try await api.createConversation(.init(agentID: "agent_x", metadata: .string("x")), idempotencyKey: testKey("POST"))
            }
            #expect(error?.code == .invalidRequest)
            #expect(error?.field == "metadata")
            let position = await remoteError { _ = try await api.turns(of: "conv_1", from: .page(0), pageSize: 20) }
            #expect(position?.code == .invalidRequest)
        }
    }
}
