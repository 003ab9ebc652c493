import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Queries")
struct QueryTests {
    typealias T = ReplicaTesting

    /// Ten conversations over two agents and three sources, with distinct times and titles.
    static func seed(_ replica: Replica) async throws {
        let titles = ["delta", "Alpha", "charlie", "bravo", "echo", "alpha", "Foxtrot", "golf", "hotel", "India"]
        let page = titles.enumerated().map { index, title in
            T.conversation(
                "c\(index)", title: title, agent: index.isMultiple(of: 2) ? "agent_even" : "agent_odd",
                source: ["web", "api", nil][index % 3],
                updated: "2026-01-\(String(format: "%02d", 10 + (index * 7) % 10))T00:00:00Z",
                created: "2026-01-01T00:00:\(String(format: "%02d", index))Z")
        }
        try await replica.upsertConversations(page, pass: nil, syncState: nil)
    }

    /// Every item of a query, page by page.
    static func all(_ replica: Replica, _ query: ConversationQuery) async throws -> [ConversationSummary] {
        var query = query
        var items: [ConversationSummary] = []
        while true {
            let page = try await replica.conversations(query)
            items += page.items
            guard let next = page.nextCursor else { return items }
            query.cursor = next
        }
    }

    @Test("keyset pages cover every conversation once, in order, for every sort", arguments: ConversationSort.allCases)
    func pagingCoversEverything(sort: ConversationSort) async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let whole = try await replica.conversations(ConversationQuery(sort: sort, limit: 100))
            #expect(whole.total == 10)
            #expect(whole.nextCursor == nil)
            let paged = try await Self.all(replica, ConversationQuery(sort: sort, limit: 3))
            #expect(paged.map(\.remoteID) == whole.items.map(\.remoteID))
            #expect(Set(paged.compactMap(\.remoteID)).count == 10)
        }
    }

    @Test("keyset pages walk through runs of equal sort keys without skipping or repeating", arguments: ConversationSort.allCases)
    func pagingThroughTies(sort: ConversationSort) async throws {
        try await T.withReplica { replica in
            let page = (0..<13).map { index in
                T.conversation(
                    "tie\(index)", title: index.isMultiple(of: 2) ? "Same" : "same",
                    updated: index < 11 ? "2026-01-05T00:00:00Z" : "2026-01-06T00:00:00Z",
                    created: index > 1 ? "2026-01-01T00:00:00Z" : "2025-12-31T00:00:00Z")
            }
            try await replica.upsertConversations(page, pass: nil, syncState: nil)
            let whole = try await replica.conversations(ConversationQuery(sort: sort, limit: 100))
            let paged = try await Self.all(replica, ConversationQuery(sort: sort, limit: 4))
            #expect(paged.map(\.remoteID) == whole.items.map(\.remoteID))
            #expect(Set(paged.compactMap(\.remoteID)).count == 13)
        }
    }

    @Test("sorts order as documented")
    func sortsOrder() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let byTitle = try await replica.conversations(ConversationQuery(sort: .titleAscending, limit: 4))
            #expect(byTitle.items.map(\.title) == ["Alpha", "alpha", "bravo", "charlie"])
            let byUpdate = try await replica.conversations(ConversationQuery(limit: 100)).items.compactMap(\.updatedAt)
            #expect(byUpdate == byUpdate.sorted(by: >))
            let byCreation = try await replica.conversations(ConversationQuery(sort: .createdAtAscending, limit: 2))
            #expect(byCreation.items.map(\.remoteID) == ["c0", "c1"])
        }
    }

    @Test("filters narrow the items and the total alike")
    func filtersNarrow() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            func ids(_ filters: ConversationFilters) async throws -> ([String], Int) {
                let page = try await replica.conversations(ConversationQuery(filters: filters, sort: .createdAtAscending, limit: 2))
                let all = try await Self.all(replica, ConversationQuery(filters: filters, sort: .createdAtAscending, limit: 2))
                return (all.compactMap(\.remoteID), page.total)
            }
            #expect(try await ids(.init(agentID: "agent_even")) == (["c0", "c2", "c4", "c6", "c8"], 5))
            #expect(try await ids(.init(source: "api")) == (["c1", "c4", "c7"], 3))
            #expect(try await ids(.init(excludeSource: "web")) == (["c1", "c2", "c4", "c5", "c7", "c8"], 6))
            #expect(try await ids(.init(sourceRefID: "ref_c3")) == (["c3"], 1))
            #expect(try await ids(.init(agentID: "agent_odd", source: "web")) == (["c3", "c9"], 2))
            #expect(try await ids(.init(updatedAfter: T.date("2026-01-17T00:00:00Z"))) == (["c4", "c7"], 2))
        }
    }

    @Test("a forged, foreign or other-sort cursor and a bad limit are invalidQuery", arguments: [
        "garbage", "", "eyJrIjoidHVybnMiLCJpIjoxfQ", String(repeating: "A", count: 10_000), "💥",
    ])
    func forgedCursorIsRefused(cursor: String) async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let error = try await #require(throws: StoreError.self) {
                try await replica.conversations(ConversationQuery(limit: 3, cursor: cursor))
            }
            #expect(error.code == .invalidQuery)
            let next = try #require(try await replica.conversations(ConversationQuery(limit: 3)).nextCursor)
            let otherSort = try await #require(throws: StoreError.self) {
                try await replica.conversations(ConversationQuery(sort: .titleAscending, limit: 3, cursor: next))
            }
            #expect(otherSort.code == .invalidQuery)
            for limit in [0, -1, ConversationQuery.maximumLimit + 1] {
                let bad = try await #require(throws: StoreError.self) { try await replica.conversations(ConversationQuery(limit: limit)) }
                #expect(bad.code == .invalidQuery)
            }
        }
    }

    @Test("one conversation comes with its turns in order and their fragments")
    func detailHasTurnsAndFragments() async throws {
        try await T.withReplica { replica in
            var conversation = T.conversation("c1", title: "Trip")
            conversation.metadata = .object(["priority": .int(2), "tags": .array([.string("travel")])])
            conversation.messageCount = 3
            try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
            let turns = [
                T.turn("t1", "Book a flight", at: "2026-01-02T10:00:00Z"),
                Turn(
                    id: "t2", role: .assistant, timestamp: T.date("2026-01-02T10:00:05Z"), state: .error,
                    errorDetail: "quota", inReplyTo: "t1",
                    fragments: [Fragment(content: "Looking…", state: .done, metadata: .object(["step": .int(1)])),
                                Fragment(kind: "tool_call", content: "{\"q\":\"LIS\"}")]),
                T.turn("t3", "Thanks", at: "2026-01-02T10:01:00Z"),
            ]
            try await replica.replaceTurns(conversationID: "c1", turns: turns, syncState: nil)
            let detail = try #require(try await replica.conversation(id: "c1"))
            #expect(detail.turns == turns)
            #expect(detail.summary.conversation == conversation)
            #expect(detail.summary.turnCount == 3)
            #expect(try await replica.conversation(id: "missing") == nil)
        }
    }

    @Test("messages page through turns oldest first")
    func messagesPage() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let turns = (0..<7).map { T.turn("t\($0)", "message \($0)") }
            try await replica.replaceTurns(conversationID: "c1", turns: turns, syncState: nil)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await replica.messages(conversationID: "c1", after: cursor, limit: 3)
                seen += page.turns.map(\.id)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(seen == turns.map(\.id))
            let missing = try await #require(throws: StoreError.self) {
                try await replica.messages(conversationID: "nope", after: nil, limit: 3)
            }
            #expect(missing.code == .notFound)
            let forged = try await #require(throws: StoreError.self) {
                try await replica.messages(conversationID: "c1", after: "forged", limit: 3)
            }
            #expect(forged.code == .invalidQuery)
        }
    }

    @Test("analytics count visible turns by role with first and last times")
    func analyticsCount() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "c1",
                turns: [
                    T.turn("t1", "q", at: "2026-01-02T10:00:00Z"),
                    T.turn("t2", "a", role: .assistant, at: "2026-01-02T10:00:05Z"),
                    T.turn("t3", "q2", at: "2026-01-02T11:00:00Z"),
                    T.turn("t4", "gone", at: "2026-01-02T12:00:00Z"),
                ], syncState: nil)
            try await replica.softDeleteTurn(id: "t4", at: Date(), syncState: nil)
            let analytics = try await replica.analytics(conversationID: "c1")
            #expect(analytics.total == 3)
            #expect(analytics.countsByRole == [.user: 2, .assistant: 1])
            #expect(analytics.firstMessageAt == T.date("2026-01-02T10:00:00Z"))
            #expect(analytics.lastMessageAt == T.date("2026-01-02T11:00:00Z"))
        }
    }

    @Test("the outbox lists waiting and failed ops in push order, with the reason and the payload")
    func outboxListsOps() async throws {
        try await T.withReplica { replica in
            #expect(try await replica.pendingOutbox().isEmpty)
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            // The engine's outbox writes come later; put two ops in as it will.
            try await T.execute(
                """
                INSERT INTO conversation (id, title) VALUES (99, 'Draft offline');
                INSERT INTO outbox (conversation_id, kind, payload, idempotency_key, state, attempts, last_error, created_at)
                VALUES ((SELECT id FROM conversation WHERE remote_id = 'c1'), 'send_message', '{"content":"Hello"}',
                        'key-1', 'failed', 3, 'content too long', 1767225600000),
                       (99, 'create_conversation', '{"agent_id":"a1"}', 'key-2', 'pending', 0, NULL, 1767225601000);
                """, in: replica)
            let ops = try await replica.pendingOutbox()
            #expect(ops.map(\.idempotencyKey) == ["key-1", "key-2"])
            #expect(ops.map(\.conversationID) == ["c1", nil])
            #expect(ops[0].state == .failed)
            #expect(ops[0].lastError == "content too long")
            #expect(ops[0].attempts == 3)
            #expect(ops[0].payload == .object(["content": .string("Hello")]))
            #expect(ops[1].state == .pending)
            #expect(ops[1].conversationLocalID == 99)
            #expect(ops[1].createdAt == T.date("2026-01-01T00:00:01Z"))
        }
    }
}
