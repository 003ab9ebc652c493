import ConvoModel
import Foundation
import Testing
import TestSupport

@testable import ConvoRemote

/// The listing every dialect has, for the body-level failures all of them share.
@Sendable func listing(_ api: any RemoteAPI) async throws {
    let filter = ConversationFilter(agentID: api.capabilities.listsPerAgent ? "agent_x" : nil)
    _ = try await api.conversations(from: .start, pageSize: 20, filter: filter)
}

@Suite("dialect adapters, whatever the dialect", .serialized)
struct DialectAdapterTests {
    @Test("each fixture index loads", arguments: Dialect.allCases)
    func indexLoads(_ dialect: Dialect) throws {
        #expect(try !DialectSetup.loadFixtures(dialect).isEmpty)
    }

    @Test("the factory picks the dialect's adapter, which reports the dialect's capabilities", arguments: Dialect.allCases)
    func capabilities(_ dialect: Dialect) async throws {
        try await withOfflineAdapter(dialect) { api in
            #expect(api.capabilities == RemoteCapabilities.of(dialect))
            switch dialect {
            case .agentflow: #expect(api is AgentFlowAdapter)
            case .v2: #expect(api is V2Adapter)
            case .knowrithm: #expect(api is KnowrithmAdapter)
            case .turns: #expect(api is TurnsAdapter)
            }
        }
    }

    @Test("an operation the dialect lacks throws unsupported without a request", arguments: Dialect.allCases)
    func unsupported(_ dialect: Dialect) async throws {
        try await withOfflineAdapter(dialect) { api in
            let capabilities = api.capabilities
            let key = testKey("POST")
            var checked = 0
            func expectUnsupported(_ operation: () async throws -> Void) async {
                checked += 1
                let error = await remoteError(operation)
                #expect(error?.code == .unsupported)
            }
            if !capabilities.watchStream {
                await expectUnsupported { for try await _ in api.watch(conversationID: "c", lastEventID: nil) {} }
            }
            if !capabilities.deletedListing {
                await expectUnsupported { _ = try await api.deletedConversations(from: .start, pageSize: 10) }
            }
            if !capabilities.conversationRead { await expectUnsupported { _ = try await api.conversation(id: "c") } }
            if !capabilities.pagedTurns {
                await expectUnsupported { _ = try await api.turns(of: "c", from: .start, pageSize: 10) }
            }
            if !capabilities.agentListing { await expectUnsupported { _ = try await api.agents(named: nil) } }
            if !capabilities.files {
                await expectUnsupported { _ = try await api.files(of: "c") }
                await expectUnsupported { _ = try await api.downloadFile(ref: "f", of: "c") }
            }
            if !capabilities.dataFrames {
                await expectUnsupported { _ = try await api.dataFrames(of: "c", sampleCount: 1) }
                await expectUnsupported { _ = try await api.dataFrame(named: "d", of: "c", query: .init()) }
            }
            if !capabilities.streamingReplies {
                await expectUnsupported { _ = try await api.streamReply(to: "x", in: "c", idempotencyKey: key) }
            }
            let writes: [(RemoteCapabilities.WriteOperation, () async throws -> Void)] = [
                (.createConversation, { _ = try await api.createConversation(.init(agentID: "a", title: "t"), idempotencyKey: key) }),
                (.sendMessage, { _ = try await api.sendMessage("x", to: "c", idempotencyKey: key) }),
                (.renameConversation, { _ = try await api.renameConversation("c", to: "t", idempotencyKey: key) }),
                (.generateTitle, { _ = try await api.generateTitle(for: "c", seedMessage: nil, force: false, idempotencyKey: key) }),
                (.deleteConversation, { try await api.deleteConversation("c", idempotencyKey: key) }),
                (.restoreConversation, { try await api.restoreConversation("c", idempotencyKey: key) }),
                (.deleteMessage, { try await api.deleteMessage("m", in: "c", idempotencyKey: key) }),
                (.restoreMessage, { try await api.restoreMessage("m", in: "c", idempotencyKey: key) }),
                (.deleteAllMessages, { try await api.deleteAllMessages(in: "c", idempotencyKey: key) }),
                (.restoreAllMessages, { try await api.restoreAllMessages(in: "c", idempotencyKey: key) }),
                (.uploadFiles, { _ = try await api.uploadFiles([FileUpload(filename: "a", data: Data())], to: "c", idempotencyKey: key) }),
                (.cancelRun, { try await api.cancelRun("r", in: "c", idempotencyKey: key) }),
            ]
            for (operation, call) in writes where !capabilities.supports(operation) { await expectUnsupported(call) }
            #expect(checked > 0)
        }
    }

    @Test("a truncated body is malformed", arguments: Dialect.allCases)
    func truncated(_ dialect: Dialect) async throws {
        try await withAdapter(dialect) { api, server in
            server.answer(Reply(status: 200, contentType: "application/json", body: try Fixtures.data("wire/\(dialect.rawValue)/broken/truncated.json")))
            let error = await remoteError { try await listing(api) }
            #expect(error?.code == .malformedResponse)
            #expect(error?.field == "$")
        }
    }

    @Test("a listing with a byte no UTF-8 text holds is malformed, not read with a replacement character", arguments: Dialect.allCases)
    func notUTF8(_ dialect: Dialect) async throws {
        // The dialect's own listing fixture, with 0xFF put inside its first string value.
        var page = try Fixtures.data("wire/\(dialect.rawValue)/list_conversations.json")
        let firstValue = try #require(page.firstRange(of: Data(#"": ""#.utf8)))
        page.insert(0xFF, at: firstValue.upperBound)
        try await withAdapter(dialect) { api, server in
            server.answer(Reply(status: 200, contentType: "application/json", body: page))
            let error = await remoteError { try await listing(api) }
            #expect(error?.code == .malformedResponse)
            #expect(error?.field == "$")
        }
    }

    @Test("an HTML page answered with 200 is malformed, not data", arguments: Dialect.allCases)
    func htmlOn200(_ dialect: Dialect) async throws {
        try await withAdapter(dialect) { api, server in
            let page = try Fixtures.data("wire/\(dialect.rawValue)/broken/html_error.html")
            server.answer(Reply(status: 200, contentType: "text/html", body: page))
            let error = await remoteError { try await listing(api) }
            #expect(error?.code == .malformedResponse)
        }
    }

    @Test("a body over maxResponseBytes is responseTooLarge", arguments: Dialect.allCases)
    func giantBody(_ dialect: Dialect) async throws {
        var configuration = RemoteConfiguration()
        configuration.maxResponseBytes = 4096
        try await withAdapter(dialect, configuration: configuration) { api, server in
            let filler = String(repeating: "x", count: 64 << 10)
            server.answer(Reply(status: 200, contentType: "application/json", body: Data("{\"pad\":\"\(filler)\"}".utf8), chunkSize: 1024))
            let error = await remoteError { try await listing(api) }
            #expect(error?.code == .responseTooLarge)
        }
    }

    @Test("random bytes never crash a decoder", arguments: Dialect.allCases)
    func garbage(_ dialect: Dialect) async throws {
        try await withAdapter(dialect) { api, server in
            var generator = SystemRandomNumberGenerator()
            for length in [0, 1, 17, 512] {
                let bytes = Data((0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
                server.answer(Reply(status: 200, contentType: "application/json", body: bytes))
                let error = await remoteError { try await listing(api) }
                #expect(error?.code == .malformedResponse)
            }
        }
    }

    @Test("a page size outside 1…100 is refused before sending", arguments: Dialect.allCases)
    func pageSize(_ dialect: Dialect) async throws {
        try await withOfflineAdapter(dialect) { api in
            let filter = ConversationFilter(agentID: api.capabilities.listsPerAgent ? "agent_x" : nil)
            for size in [0, 101] {
                let error = await remoteError { _ = try await api.conversations(from: .start, pageSize: size, filter: filter) }
                #expect(error?.code == .invalidRequest)
                #expect(error?.field == "pageSize")
            }
        }
    }
}
