import ConvoModel
@testable import ConvoStore
import Foundation
import GRDB
import Testing
import TestSupport

/// A filtered search visits the few fragments a narrow filter passes, or walks the term's
/// matches when many pass; either way it finds exactly what ranking every filtered match would.
@Suite("Filtered search")
struct FilteredSearchTests {
    typealias T = ReplicaTesting

    /// 70 conversations of agent "broad" (6,300 fragments, above the filter-first limit) and 3 of
    /// agent "narrow"; words shared across both, some conversations soft-deleted, one turn too.
    static func seed(_ replica: Replica) async throws {
        let words = ["lantern", "harbor", "copper", "meadow", "falcon", "quarry", "velvet"]
        var conversations: [Conversation] = []
        for index in 0..<73 {
            let agent = index < 70 ? "broad" : "narrow"
            let day = String(format: "%02d", 1 + index % 28)
            conversations.append(T.conversation(
                "c\(index)", title: "\(words[index % words.count]) notes \(index)", agent: agent,
                updated: "2026-02-\(day)T10:00:00Z"))
        }
        try await replica.upsertConversations(conversations, pass: nil, syncState: nil)
        for (index, conversation) in conversations.enumerated() {
            let turns = (0..<45).map { turn in
                T.turn(
                    "\(conversation.id)-t\(turn)",
                    "\(words[(index + turn) % words.count]) and \(words[(index * 3 + turn) % words.count]) \(turn)",
                    "\(words[(turn * 5) % words.count]) closing \(index)")
            }
            try await replica.replaceTurns(conversationID: conversation.id, turns: turns, syncState: nil)
        }
        try await replica.softDeleteConversation(id: "c5", at: T.date("2026-03-01T00:00:00Z"), syncState: nil)
        try await replica.softDeleteConversation(id: "c71", at: T.date("2026-03-01T00:00:00Z"), syncState: nil)
        try await replica.softDeleteTurn(id: "c72-t3", at: T.date("2026-03-01T00:00:00Z"), syncState: nil)
    }

    /// Every visible match that passes `filters`, ranked by bm25 (the lower the better), the
    /// way a search with no plan at all would: fragments and titles, best `limit` first.
    static func reference(_ text: String, filters: ConversationFilters, limit: Int = 20, in replica: Replica) async throws -> [String] {
        let match = try SearchExpression(parsing: text).fts5
        let (filterSQL, filterArguments) = ConversationQueries.whereClause(filters, includeDeleted: false)
        return try await replica.reading { db in
            var arguments: StatementArguments = [match]
            arguments += filterArguments
            arguments += [match]
            arguments += filterArguments
            arguments += [limit]
            return try Row.fetchAll(db, sql: """
                SELECT key, score, hit FROM (
                    SELECT t.remote_id AS key, bm25(fragment_search) AS score, f.id AS hit
                    FROM fragment_search JOIN fragment f ON f.id = fragment_search.rowid
                    JOIN turn t ON t.id = f.turn_id JOIN conversation c ON c.id = t.conversation_id
                    WHERE fragment_search MATCH ? AND t.deleted_at IS NULL AND \(filterSQL)
                    UNION ALL
                    SELECT 'title:' || c.remote_id, bm25(title_search), -c.id
                    FROM title_search JOIN conversation c ON c.id = title_search.rowid
                    WHERE title_search MATCH ? AND \(filterSQL))
                ORDER BY score, hit LIMIT ?
                """, arguments: arguments).map { $0["key"] }
        }
    }

    static func keys(_ hits: [SearchHit]) -> [String] {
        hits.map { $0.turnID ?? "title:\($0.conversationID)" }
    }

    static let filters: [(name: String, filters: ConversationFilters, plan: SearchQueries.FilteredPlan)] = [
        ("narrow agent", ConversationFilters(agentID: "narrow"), .filterFirst),
        ("broad agent", ConversationFilters(agentID: "broad"), .matchesFirst),
        ("one conversation", ConversationFilters(conversationID: "c12"), .filterFirst),
        ("a soft-deleted conversation", ConversationFilters(conversationID: "c5"), .filterFirst),
        ("source reference", ConversationFilters(sourceRefID: "ref_c40"), .filterFirst),
        ("updated after the 26th", ConversationFilters(updatedAfter: T.date("2026-02-26T00:00:00Z")), .filterFirst),
        ("updated after the 1st", ConversationFilters(updatedAfter: T.date("2026-02-01T00:00:00Z")), .matchesFirst),
    ]

    @Test("each filter gets the plan its size calls for, and finds exactly the hits ranking every filtered match finds")
    func planAndHitsMatchTheReference() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            for (name, filters, plan) in Self.filters {
                #expect(try await replica.reading { db in try SearchQueries.plan(filters, db) } == plan, "\(name)")
                for query in ["lantern", "harbor copper", "\"closing 71\"", "fal*", "meadow -velvet", "notes"] {
                    let hits = try await replica.search(query, filters: filters)
                    let expected = try await Self.reference(query, filters: filters, in: replica)
                    #expect(Self.keys(hits) == expected, "\(name), \(query)")
                    #expect(hits.allSatisfy { !$0.snippet.isEmpty }, "\(name), \(query)")
                }
            }
            // Hidden text stays hidden on both plans.
            #expect(try await replica.search("lantern", filters: ConversationFilters(conversationID: "c5")).isEmpty)
            #expect(try await replica.search("lantern", filters: ConversationFilters(agentID: "narrow")).allSatisfy {
                $0.turnID != "c72-t3"
            })
        }
    }

    @Test("a narrow filter is answered from the conversation's indexes, each fragment looked up by rowid in the search index")
    func narrowFilterDrivesFromTheConversation() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let filters = ConversationFilters(agentID: "narrow")
            let (filterSQL, filterArguments) = ConversationQueries.whereClause(filters, includeDeleted: false)
            let ranking = SearchQueries.filteredRanking(.filterFirst, filterSQL: filterSQL, oneTerm: true)
            var arguments = filterArguments
            arguments += ["lantern"]
            arguments += filterArguments
            arguments += ["lantern", 20]
            let bound = arguments
            let plan = try await replica.reading { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + ranking, arguments: bound)
                    .map { $0["detail"] as String }.joined(separator: "\n")
            }
            let steps = plan.split(separator: "\n").map(String.init)
            #expect(steps.contains("SEARCH c USING INDEX conversation_agent (agent_id=?)"), "\(plan)")
            // "=M": the search index is entered by rowid equality with the match, not walked.
            #expect(steps.contains("SCAN fragment_search VIRTUAL TABLE INDEX 0:=M1"), "\(plan)")
            #expect(!steps.contains { ["c", "t", "f"].contains($0.split(separator: " ").dropFirst().first ?? "") && $0.hasPrefix("SCAN") },
                    "no table is scanned: \(plan)")
        }
    }

    @Test("snippets are built for the ranked hits alone: the search index is entered by each hit's rowid, never walked for the query's every match")
    func snippetsJoinTheHitsOnly() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let filters = ConversationFilters(conversationID: "c12")
            let (filterSQL, filterArguments) = ConversationQueries.whereClause(filters, includeDeleted: false)
            let ranking = SearchQueries.filteredRanking(.filterFirst, filterSQL: filterSQL, oneTerm: true)
            var arguments = filterArguments
            arguments += ["lantern"]
            arguments += filterArguments
            arguments += ["lantern", 20, "[", "]", "…", "lantern", "[", "]", "…", "lantern"]
            let bound = arguments
            let steps = try await replica.reading { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SearchQueries.hitsSQL(ranking: ranking), arguments: bound)
                    .map { $0["detail"] as String }
            }
            let lookups = steps.filter { $0.hasPrefix("SCAN fragment_search") || $0.hasPrefix("SCAN title_search") }
            #expect(!lookups.isEmpty, "\(steps)")
            // "=M": entered by rowid with the match; a bare "M" walks every match of the query.
            #expect(lookups.allSatisfy { $0.hasSuffix("INDEX 0:=M1") }, "\(steps)")
            #expect(!steps.contains { $0.contains("AUTOMATIC") }, "\(steps)")
        }
    }
}
