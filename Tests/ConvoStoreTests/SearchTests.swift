import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Search")
struct SearchTests {
    typealias T = ReplicaTesting

    static func seed(_ replica: Replica) async throws {
        try await replica.upsertConversations(
            [
                T.conversation("c1", title: "Acme renewal", agent: "sales"),
                T.conversation("c2", title: "Café opening plan", agent: "ops"),
                T.conversation("c3", title: "Weekly sync", agent: "sales"),
            ], pass: nil, syncState: nil)
        try await replica.replaceTurns(
            conversationID: "c1",
            turns: [
                T.turn("t1", "What open opportunities do we have with Acme?"),
                T.turn("t2", "The Acme renewal is due in March; ", "the draft contract is attached.", role: .assistant),
            ], syncState: nil)
        try await replica.replaceTurns(
            conversationID: "c2",
            turns: [T.turn("t3", "The café needs a naïve pricing model before opening")], syncState: nil)
        try await replica.replaceTurns(
            conversationID: "c3",
            turns: [T.turn("t4", "Renewals this week: Globex and Initech; Acme next week")], syncState: nil)
    }

    @Test("words must all match; hits are ranked best first with bracketed snippets")
    func wordsRankAndSnippet() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let hits = try await replica.search("acme renewal")
            #expect(Set(hits.map { $0.turnID ?? "title:\($0.conversationID)" }) == ["title:c1", "t2"])
            #expect(hits.map(\.rank) == hits.map(\.rank).sorted())
            let turnHit = try #require(hits.first { $0.turnID == "t2" })
            #expect(turnHit.snippet.contains("[Acme] [renewal]"))
            #expect(turnHit.title == "Acme renewal")
            #expect(turnHit.conversationID == "c1")
        }
    }

    @Test("one word with more matches than the ranking window is ranked over its matches written last; with fewer, over all")
    func oneTermRankingWindow() async throws {
        try await T.withReplica { replica in
            let window = SearchQueries.rankingWindow
            // The oldest conversation says "zebra" most often (the best bm25), then many newer ones once.
            let older = T.conversation("z0", title: "Stripes", agent: "zoo")
            try await replica.upsertConversations([older], pass: nil, syncState: nil)
            try await replica.replaceTurns(conversationID: "z0", turns: [T.turn("best", "zebra zebra zebra zebra")], syncState: nil)
            #expect(try await replica.search("zebra").first?.turnID == "best", "below the window every match is ranked")
            let newer = (1...window).map { T.conversation("z\($0)", title: "Herd \($0)", agent: "zoo") }
            try await replica.upsertConversations(newer, pass: nil, syncState: nil)
            for conversation in newer {
                try await replica.replaceTurns(
                    conversationID: conversation.id, turns: [T.turn("t-\(conversation.id)", "a zebra among many other animals")],
                    syncState: nil)
            }
            let hits = try await replica.search("zebra", limit: 20)
            #expect(hits.count == 20)
            #expect(!hits.contains { $0.turnID == "best" }, "past the window the oldest match is not ranked")
            #expect(hits.map(\.rank) == hits.map(\.rank).sorted())
            // A query of more terms ranks every match: the best one is found again.
            #expect(try await replica.search("zebra -giraffe").first?.turnID == "best")
        }
    }

    @Test("fewer hits than the limit, found by one walk of the matches, equal the same hits looked up one by one")
    func walkedSnippetsEqualLookedUpOnes() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            for text in ["acme", "acme renewal", "renew*", "week", #""draft contract""#, "acme -renewal", "cafe naive", "the"] {
                // Below its limit an unfiltered search walks the matches for its snippets; a limit
                // equal to the hits found makes it look each one up instead.
                let walked = try await replica.search(text, limit: 50)
                #expect(walked.filter { $0.turnID != nil }.count >= 1, "\(text)")
                let lookedUp = try await replica.search(text, limit: walked.count)
                #expect(walked == lookedUp, "\(text)")
                #expect(walked.allSatisfy { $0.snippet.contains("[") }, "every hit has a marked snippet: \(text)")
            }
        }
    }

    @Test("phrases, exclusions, prefixes and diacritics follow the documented language")
    func queryLanguage() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            func found(_ text: String) async throws -> Set<String> {
                Set(try await replica.search(text).map { $0.turnID ?? "title:\($0.conversationID)" })
            }
            #expect(try await found(#""draft contract""#) == ["t2"])
            #expect(try await found(#""contract draft""#) == [])
            #expect(try await found("acme -renewal") == ["t1", "t4"])
            #expect(try await found(#"acme -"due in march""#) == ["t1", "t4", "title:c1"])
            #expect(try await found("renew*") == ["title:c1", "t2", "t4"])
            #expect(try await found("cafe naive") == ["t3"])
            #expect(try await found("CAFÉ") == ["title:c2", "t3"])
            let marked = try await replica.search("pricing", markers: SnippetMarkers(open: "<b>", close: "</b>"))
            #expect(marked.first?.snippet.contains("<b>pricing</b>") == true)
        }
    }

    @Test("filters apply to search as to listings")
    func searchFilters() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            let hits = try await replica.search("acme", filters: ConversationFilters(agentID: "sales"), limit: 50)
            #expect(Set(hits.map(\.conversationID)) == ["c1", "c3"])
            let none = try await replica.search("café", filters: ConversationFilters(agentID: "sales"))
            #expect(none.isEmpty)
            let limited = try await replica.search("acme", limit: 1)
            #expect(limited.count == 1)
        }
    }

    @Test("FTS5 syntax typed by a person is plain text", arguments: [
        "NEAR(acme renewal)", "acme AND", "OR acme", "title:acme", "^acme", "(acme", "acme)", "acme NOT",
        "\"acme", "acme\"", "*acme", "acme**", "+acme", "acme -", "- acme", "'; DROP TABLE conversation; --",
    ])
    func syntaxIsText(text: String) async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            do {
                _ = try await replica.search(text)
            } catch let error as StoreError {
                #expect(error.code == .invalidQuery, "\(error)")
            }
            #expect(try await replica.conversations(ConversationQuery()).total == 3)
        }
    }

    @Test("queries with nothing to find or only exclusions are invalidQuery with a clear message", arguments: [
        "", "   ", "*", "-acme", "-acme -renewal", "()", "\"\"", "- - -", "\u{0}", String(repeating: "a ", count: 40),
        String(repeating: "x", count: 10_000),
    ])
    func unsearchableIsInvalid(text: String) async throws {
        try await T.withReplica { replica in
            let error = try await #require(throws: StoreError.self) { try await replica.search(text) }
            #expect(error.code == .invalidQuery)
            #expect(!error.message.isEmpty)
        }
    }

    @Test("thousands of generated hostile strings give results or invalidQuery, never another error")
    func fuzzedQueries() async throws {
        try await T.withReplica { replica in
            try await Self.seed(replica)
            var generator = SeededGenerator(seed: 0x5EA2C4)
            var outcomes = (results: 0, invalid: 0)
            for _ in 0..<3000 {
                let text = HostileText.make(using: &generator)
                do {
                    _ = try await replica.search(text, limit: 5)
                    outcomes.results += 1
                } catch let error as StoreError where error.code == .invalidQuery {
                    outcomes.invalid += 1
                } catch {
                    Issue.record("search(\(text.debugDescription.prefix(200))) threw \(error)")
                }
            }
            // Both paths were exercised.
            #expect(outcomes.results > 100)
            #expect(outcomes.invalid > 100)
        }
    }

    @Test("the expression quotes every term and never lets syntax through")
    func expressionIsQuoted() throws {
        #expect(try SearchExpression(parsing: #"renewal "acme corp" -draft quot*"#).fts5
            == #"(("renewal" AND "acme corp" AND "quot"*) NOT "draft")"#)
        #expect(try SearchExpression(parsing: #"NEAR(a" b"#).fts5 == #"("NEAR(a" AND " b")"#)
    }
}

/// Generates search text meant to break a query parser.
enum HostileText {
    static let pieces = [
        "\"", "\"\"", "(", ")", "*", "-", ":", "^", "+", "NEAR", "NEAR(", "AND", "OR", "NOT", "{", "}", "[", "]",
        "'", "';", "--", "/*", "*/", "DROP TABLE conversation;", "SELECT * FROM turn", "\\", "%", "_",
        "acme", "renewal", "café", "naïve", "e\u{301}", "\u{0}", "\u{FFFD}", "\u{200B}", "\u{202E}", "🙂", "👩‍👩‍👧",
        "🇫🇷", "\u{1F600}*", "日本語", "עברית", "Ωμέγα", "\t", "\n", "\r\n", " ", "  ", "title:", "body:", "rowid",
        "a\u{0300}\u{0301}\u{0302}", "\u{E000}", "\u{10FFFF}", "ﬁ", "ß", "İ",
    ]

    static func make(using generator: inout SeededGenerator) -> String {
        switch generator.next() % 10 {
        case 0:
            // A huge string, some over the byte limit.
            let piece = pieces.randomElement(using: &generator) ?? "a"
            return String(repeating: piece + " ", count: Int(generator.next() % 3000))
        case 1:
            // Random scalars anywhere in Unicode (surrogates skipped).
            let count = Int(generator.next() % 40)
            let scalars = (0..<count).compactMap { _ in Unicode.Scalar(UInt32(generator.next() % 0x11_0000)) }
            return String(String.UnicodeScalarView(scalars))
        default:
            let count = Int(generator.next() % 12) + 1
            return (0..<count).map { _ in
                let piece = pieces.randomElement(using: &generator) ?? ""
                return generator.next().isMultiple(of: 3) ? piece + " " : piece
            }.joined()
        }
    }
}
