import ConvoModel
import Foundation
import Testing
import TestSupport

@testable import ConvoRemote

/// The turns listing with the fixture's offset and limit.
@Sendable func turnsCall(_ api: any RemoteAPI, _ fixture: WireFixture) async throws -> Outcome {
    let query = fixture.queryItems
    let position = query["offset"].flatMap(Int.init).map { PagingPosition.offset($0, expectedBoundaryID: nil) } ?? .start
    return .conversations(
        try await api.conversations(
            from: position, pageSize: query["limit"].flatMap(Int.init) ?? 20,
            filter: .init(agentID: fixture.segment(after: "agents"))))
}

@Suite("turns adapter", .serialized)
struct TurnsAdapterTests {
    @Test("every valid fixture decodes and every broken one fails typed, over correct requests",
          arguments: DialectSetup.fixtures(.turns))
    func fixture(_ fixture: WireFixture) async throws {
        let result = try await replay(fixture, .turns, call: turnsCall)
        if fixture.file == "broken/unknown_fragment_kind.json" {
            // FragmentKind is open (DESIGN "Data model"): an unknown kind is kept, not refused.
            guard case .conversations(let page) = try result.get() else { return }
            let fragment = try #require(page.items.first?.turns?[1].fragments.first)
            #expect(fragment.kind == FragmentKind(rawValue: "image"))
            #expect(fragment.state == .done)
            return
        }
        guard fixture.valid, fixture.status < 300 else {
            expectFailure(result, for: fixture)
            return
        }
        guard case .conversations(let page) = try result.get() else {
            Issue.record("not a listing")
            return
        }
        switch fixture.file {
        case "list_conversations.json":
            #expect(page.items.count == 3)
            #expect(page.total == 4)
            #expect(page.boundaryMatched == nil)
            #expect(page.next == .offset(2, expectedBoundaryID: page.items[2].conversation.id))
            let turns = try #require(page.items.first?.turns)
            #expect(turns.count == 2)
            #expect(turns[0].role == .user)
            #expect(turns[0].state == .done)
            #expect(turns[1].inReplyTo == turns[0].id)
        case "list_conversations_last_page.json":
            #expect(page.next == nil)
        case "list_conversations_empty.json":
            #expect(page.items.isEmpty)
            #expect(page.next == nil)
        default:
            #expect(page.items.allSatisfy { $0.turns != nil })
        }
    }

    @Test("fragments keep their own state and metadata, turns their error detail")
    func fragmentsKeepTheirFields() async throws {
        let all = try await withAdapter(.turns) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.turns).first { $0.file == "list_conversations_default_page.json" })
            server.answer(try Reply.fixture(.turns, fixture))
            return try await api.conversations(from: .start, pageSize: 20, filter: .init())
        }
        let turns = all.items.flatMap { $0.turns ?? [] }
        #expect(turns.contains { $0.fragments.contains { $0.metadata?.objectValue != nil } })
        #expect(turns.contains { $0.fragments.contains { $0.state == .inProgress } })
        #expect(turns.contains { $0.state == .error && $0.errorDetail != nil })
        #expect(turns.contains { $0.state == .stopped })
        #expect(turns.allSatisfy { $0.timestamp != nil })
        #expect(turns.filter { $0.role == .user }.allSatisfy { $0.state == .done })
    }

    @Test("pages overlap by one item and report whether the boundary held")
    func overlappingPages() async throws {
        let first = try await withAdapter(.turns) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.turns).first { $0.file == "list_conversations.json" })
            server.answer(try Reply.fixture(.turns, fixture))
            return try await api.conversations(from: .start, pageSize: 3, filter: .init())
        }
        let next = try #require(first.next)
        #expect(next == .offset(2, expectedBoundaryID: first.items[2].conversation.id))
        try await withAdapter(.turns) { api, server in
            let fixture = try #require(DialectSetup.fixtures(.turns).first { $0.file == "list_conversations_last_page.json" })
            server.answer(try Reply.fixture(.turns, fixture))
            let page = try await api.conversations(from: next, pageSize: 3, filter: .init())
            #expect(server.last?.queryItems["offset"] == "2")
            #expect(page.boundaryMatched == true)
            #expect(page.items.map(\.conversation.id) == ["conv_ff865512dd6d8bf3", "conv_7c11ee3bf7577846"])
            let shifted = try await api.conversations(
                from: .offset(2, expectedBoundaryID: "conv_0000000000000000"), pageSize: 3, filter: .init())
            #expect(shifted.boundaryMatched == false)
        }
    }

    @Test("a page holding only the overlap item steps one past it")
    func onlyOverlap() {
        let item = ConversationSnapshot(conversation: Conversation(id: "conv_b"), turns: [])
        let page = TurnsAdapter.page([item], offset: 4, expected: "conv_b", total: 9)
        #expect(page.boundaryMatched == true)
        #expect(page.next == .offset(5, expectedBoundaryID: nil))
        let empty = TurnsAdapter.page([], offset: 4, expected: "conv_b", total: 9)
        #expect(empty.boundaryMatched == false)
        #expect(empty.next == nil)
    }
}
