import ConvoModel
@testable import ConvoStore
import Foundation
import GRDB
import Testing
import TestSupport

/// The fragment index keeps no copy of the text (external content), so every entry it drops
/// must be dropped with the exact text it was added with. These tests compare the index with
/// what it must hold after every kind of write: the documents it holds, and for every word
/// of every fragment, the fragments a search for it finds.
@Suite("Search index upkeep")
struct SearchIndexTests {
    typealias T = ReplicaTesting

    /// Differences between the index and the visible text, empty when they agree.
    static func differences(_ replica: Replica) async throws -> [String] {
        try await replica.reading { db in
            let visible = try Row.fetchAll(
                db,
                sql: """
                    SELECT f.id, f.content FROM fragment f JOIN turn t ON t.id = f.turn_id
                    JOIN conversation c ON c.id = t.conversation_id
                    WHERE f.kind = 'text' AND t.deleted_at IS NULL AND c.deleted_at IS NULL AND c.purged_at IS NULL
                    """)
            var problems: [String] = []
            if try Int.fetchOne(db, sql: "SELECT count(*) FROM search_deferral") != 0 {
                problems.append("a page's deferral outlived it")
            }
            let documents = Set(try Int64.fetchAll(db, sql: "SELECT id FROM fragment_search_docsize"))
            let expected = Set(visible.map { $0["id"] as Int64 })
            if documents != expected { problems.append("documents \(documents.sorted()) != visible \(expected.sorted())") }
            var byWord: [String: Set<Int64>] = [:]
            for row in visible {
                for word in Self.words(row["content"]) { byWord[word, default: []].insert(row["id"]) }
            }
            let everyWord = Set(try String.fetchAll(db, sql: "SELECT content FROM fragment").flatMap(Self.words))
            for word in everyWord {
                let found = Set(try Int64.fetchAll(
                    db, sql: "SELECT rowid FROM fragment_search WHERE fragment_search MATCH ?", arguments: ["\"\(word)\""]))
                if found != byWord[word, default: []] {
                    problems.append("\(word): found \(found.sorted()), visible in \(byWord[word, default: []].sorted())")
                }
            }
            let titles = Set(try Int64.fetchAll(db, sql: "SELECT rowid FROM title_search"))
            let visibleTitles = Set(try Int64.fetchAll(
                db, sql: "SELECT id FROM conversation WHERE title IS NOT NULL AND deleted_at IS NULL AND purged_at IS NULL"))
            if titles != visibleTitles { problems.append("titles \(titles.sorted()) != \(visibleTitles.sorted())") }
            return problems
        }
    }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter && !$0.isNumber }.map(String.init)
    }

    @Test("the index holds exactly the visible text through inserts, edits, hides, restores, moves, purges and removals")
    func indexFollowsEveryWrite() async throws {
        try await T.withReplica { replica in
            var steps: [(String, [String])] = []
            func check(_ step: String) async throws { steps.append((step, try await Self.differences(replica))) }
            let code = Turn(
                id: "t2", role: .assistant, state: .done,
                fragments: [Fragment(content: "apple banana", state: .done), Fragment(kind: "code", content: "cherry", state: .done)])
            try await replica.applyListingPage(
                [
                    ListedConversation(
                        conversation: T.conversation("c1", title: "Fruit"),
                        turns: .replace([T.turn("t1", "apple orchard", "pear tree"), code]), changeToken: "1"),
                    ListedConversation(
                        conversation: T.conversation("c2", title: "Boats"), turns: .replace([T.turn("t3", "sail boat")]),
                        changeToken: "1"),
                    ListedConversation(
                        conversation: T.conversation("c3", title: "Trains"), turns: .replace([T.turn("t4", "steam engine")]),
                        changeToken: "1"),
                ], pass: 1, syncState: nil)
            try await check("first page")
            try await replica.softDeleteTurn(id: "t1", at: T.date("2026-01-05T00:00:00Z"), syncState: nil)
            try await check("turn hidden")
            try await replica.restoreTurn(id: "t1", syncState: nil)
            try await check("turn restored")
            try await replica.softDeleteConversation(id: "c2", at: T.date("2026-01-05T00:00:00Z"), syncState: nil)
            try await check("conversation hidden")
            try await replica.restoreConversation(id: "c2", syncState: nil)
            try await check("conversation restored")
            // Edited text, one fragment fewer, a turn gone, a turn moved in from c2.
            try await replica.applyListingPage(
                [ListedConversation(
                    conversation: T.conversation("c1", title: "Fruit and boats"),
                    turns: .replace([T.turn("t1", "apple grove"), T.turn("t3", "sail boat")]), changeToken: "2")],
                pass: 2, syncState: nil)
            try await check("edited, shortened, removed and moved")
            try await replica.applyListingPage(
                [ListedConversation(
                    conversation: T.conversation("c1", title: "Fruit and boats"),
                    turns: .append([T.turn("t5", "kiwi harvest"), T.turn("t1", "apple grove today")]), changeToken: "3")],
                pass: 2, syncState: nil)
            try await check("appended and edited")
            _ = try await replica.enqueue(.sendMessage(text: "steam whistle"), in: .remote("c3"), idempotencyKey: "k1", at: Date())
            try await check("local turn")
            try await replica.markPurged(conversationID: "c3", at: T.date("2026-01-06T00:00:00Z"), syncState: nil)
            try await check("purged with a pending op")
            let created = try await replica.enqueue(
                .createConversation(agentID: "a", title: "Draft zeppelin", metadata: nil, maxContextLength: nil),
                in: nil, idempotencyKey: "k2", at: Date())
            _ = try await replica.enqueue(.sendMessage(text: "zeppelin route"), in: .local(created.conversationLocalID),
                                          idempotencyKey: "k3", at: Date())
            try await check("made offline")
            for op in try await replica.outboxQueue() { try await replica.discardOutboxOp(op.id) }
            try await check("offline conversation discarded")
            try await replica.softDeleteConversation(id: "c2", at: T.date("2026-01-05T00:00:00Z"), syncState: nil)
            _ = try await replica.collectTombstones(olderThan: T.date("2030-01-01T00:00:00Z"))
            try await check("tombstones collected")
            try await replica.applyListingPage(
                [ListedConversation(conversation: T.conversation("c3", title: "Trains again"),
                                    turns: .replace([T.turn("t6", "steam returns")]), changeToken: "4")],
                pass: 3, syncState: nil)
            try await check("un-purged")
            for (step, problems) in steps {
                #expect(problems.isEmpty, "after \(step): \(problems)")
            }
            #expect(try await replica.search("apple").map(\.turnID) == ["t1"])
        }
    }

    /// The segments of each search index (one row of `_idx` per leaf page, tagged by segment).
    static func segments(_ replica: Replica) async throws -> (fragments: Int, titles: Int) {
        try await replica.reading { db in
            (try Int.fetchOne(db, sql: "SELECT count(DISTINCT segid) FROM fragment_search_idx") ?? 0,
             try Int.fetchOne(db, sql: "SELECT count(DISTINCT segid) FROM title_search_idx") ?? 0)
        }
    }

    @Test("writes that grow the index by a tenth leave it merged into one segment by mergeSearchIndexIfGrown, and small ones do not merge; search finds the same")
    func growthMergesTheIndex() async throws {
        try await T.withReplica { replica in
            // Thirty pages of ten conversations, 1,800 fragments: thirty segments, some merged as they come.
            for page in 0..<30 {
                let listed = (0..<10).map { index in
                    let id = "p\(page)-c\(index)"
                    return ListedConversation(
                        conversation: T.conversation(id, title: "Ledger \(page) \(index)"),
                        turns: .replace((0..<3).map { T.turn("\(id)-t\($0)", "harbor ledger \(page) entry \($0)", "line \(index)") }),
                        changeToken: nil)
                }
                try await replica.applyListingPage(listed, pass: 1, syncState: nil)
            }
            let before = try await Self.segments(replica)
            #expect(before.fragments > 1 && before.titles > 1, "\(before)")
            let found = try await replica.search("harbor", limit: 1000).count

            #expect(try await replica.mergeSearchIndexIfGrown())
            #expect(try await Self.segments(replica) == (1, 1))
            #expect(try await replica.search("harbor", limit: 1000).count == found)
            #expect(try await Self.differences(replica) == [])

            // Ten more fragments grow it by far less than a tenth: nothing to merge.
            try await replica.applyListingPage(
                [ListedConversation(conversation: T.conversation("late"), turns: .replace([T.turn("late-t0", "harbor late")]), changeToken: nil)],
                pass: 1, syncState: nil)
            #expect(try await replica.mergeSearchIndexIfGrown() == false)
            #expect(try await replica.search("harbor", limit: 1000).count == found + 1)
        }
    }

    /// FTS5's `automerge` setting of each search index.
    static func automerge(_ replica: Replica) async throws -> [Int?] {
        try await replica.reading { db in
            [try Int.fetchOne(db, sql: "SELECT v FROM fragment_search_config WHERE k = 'automerge'"),
             try Int.fetchOne(db, sql: "SELECT v FROM title_search_config WHERE k = 'automerge'")]
        }
    }

    @Test("pages are indexed without merging as they commit; a few changes run no merge after them, a thousand fragments or more merge the levels holding four segments, and search finds the same")
    func smallWritesMergeAfterwards() async throws {
        try await T.withReplica { replica in
            #expect(try await Self.automerge(replica) == [0, 0])
            func page(_ name: String, fragments: Int) -> [ListedConversation] {
                [ListedConversation(
                    conversation: T.conversation(name, title: "Harbor \(name)"),
                    turns: .replace([Turn(
                        id: "\(name)-t0", role: .user, timestamp: T.date("2026-01-02T03:04:05Z"), state: .done,
                        fragments: (0..<fragments).map { Fragment(content: "tidal ledger \(name) line \($0)", state: .done) })]),
                    changeToken: nil)]
            }
            try await replica.applyListingPage(page("first", fragments: 20_000), pass: 1, syncState: nil)
            #expect(try await replica.mergeSearchIndexIfGrown())
            #expect(try await Self.segments(replica) == (1, 1))
            // Five pages of a few fragments: a segment each, none merged while written or after.
            for index in 0..<5 { try await replica.applyListingPage(page("few\(index)", fragments: 10), pass: 1, syncState: nil) }
            #expect(try await Self.segments(replica) == (6, 6))
            #expect(try await replica.mergeSearchIndexIfGrown() == false)
            #expect(try await Self.segments(replica) == (6, 6))
            // Five more of 200: over a thousand fragments, under a tenth of the index. No rewrite,
            // but the crowded level is merged.
            for index in 0..<5 { try await replica.applyListingPage(page("more\(index)", fragments: 200), pass: 1, syncState: nil) }
            let found = try await replica.search("tidal line 7", limit: 1000)
            #expect(found.count == 11)
            #expect(try await replica.mergeSearchIndexIfGrown() == false)
            let after = try await Self.segments(replica)
            #expect(after.fragments < 11 && after.titles < 11, "\(after)")
            #expect(try await replica.search("tidal line 7", limit: 1000) == found)
            #expect(try await Self.differences(replica) == [])
        }
    }
}
