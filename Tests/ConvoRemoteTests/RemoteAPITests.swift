import ConvoModel
import Testing

@testable import ConvoRemote

/// A read-only port that implements listing only: everything else keeps the defaults.
private struct ListingOnly: RemoteAPI {
    var capabilities: RemoteCapabilities { .of(.turns) }

    func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
        -> RemotePage<ConversationSnapshot>
    {
        guard case .offset(let offset, _) = position else {
            throw RemoteError(.invalidRequest, endpoint: "GET /agents/{agentId}/conversations", field: "offset")
        }
        let snapshot = ConversationSnapshot(
            conversation: Conversation(id: "conv_\(offset)", agentID: filter.agentID),
            turns: [Turn(id: "msg_1", role: .user, state: .done, fragments: [Fragment(content: "hi")])])
        return RemotePage(items: [snapshot], next: nil, total: 1, boundaryMatched: nil)
    }
}

@Suite("RemoteAPI port")
struct RemoteAPITests {
    @Test("operations a dialect lacks throw unsupported, naming the operation")
    func unsupportedDefaults() async throws {
        let api: any RemoteAPI = ListingOnly()
        let key = try #require(IdempotencyKey("key-1"))
        let errors = [
            await remoteError { _ = try await api.conversation(id: "conv_1") },
            await remoteError { try await api.deleteConversation("conv_1", idempotencyKey: key) },
            await remoteError { for try await _ in api.watch(conversationID: "conv_1", lastEventID: nil) {} },
            await remoteError { _ = try await api.streamReply(to: "hi", in: "conv_1", idempotencyKey: key) },
        ]
        #expect(errors.map { $0?.code } == [.unsupported, .unsupported, .unsupported, .unsupported])
        #expect(errors.map { $0?.endpoint } == ["conversation", "deleteConversation", "watch", "streamReply"])
        let page = try await api.conversations(from: .offset(0, expectedBoundaryID: nil), pageSize: 20, filter: .init(agentID: "agent_a"))
        #expect(page.items.first?.turns?.first?.text == "hi")
        #expect(page.items.first?.conversation.agentID == "agent_a")
    }

    @Test("idempotency keys are 1–255 printable ASCII characters")
    func idempotencyKeys() {
        #expect(IdempotencyKey("abc-123_X") != nil)
        #expect(IdempotencyKey(String(repeating: "k", count: 255)) != nil)
        for bad in ["", " ", "a b", "é", "tab\t", String(repeating: "k", count: 256)] {
            #expect(IdempotencyKey(bad) == nil)
        }
        let random = IdempotencyKey.random()
        #expect(IdempotencyKey(random.rawValue) == random)
        #expect(IdempotencyKey.random() != random)
    }

    @Test("capabilities follow the dialects' documented contracts")
    func capabilities() {
        #expect(RemoteCapabilities.of(.turns).writes.isEmpty)
        #expect(RemoteCapabilities.of(.turns).paging == .offset)
        #expect(!RemoteCapabilities.of(.turns).conversationRead)
        #expect(RemoteCapabilities.of(.agentflow).watchStream)
        #expect(Dialect.allCases.filter { RemoteCapabilities.of($0).watchStream } == [.agentflow])
        #expect(Dialect.allCases.filter { RemoteCapabilities.of($0).softDeletes } == [.knowrithm])
        #expect(RemoteCapabilities.of(.knowrithm).paging == .pageNumber)
        #expect(RemoteCapabilities.of(.v2).supports(.uploadFiles))
        #expect(!RemoteCapabilities.of(.agentflow).supports(.restoreConversation))
    }
}
