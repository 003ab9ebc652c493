import Foundation
import Testing
import TestSupport

/// The read commands, run as a child process on a replica imported from `Fixtures/sample.jsonl`.
@Suite("convosync list, show, search")
struct ReadCommandTests {
    /// Imports the sample into a fresh replica in `folder` and returns its path.
    private func importedSample(in folder: URL) async throws -> String {
        let db = folder.appendingPathComponent("sample.convosync").path
        let result = try await Convosync.run(["import", "--db", db, Fixtures.url("sample.jsonl").path])
        try #require(result.status == 0, "import failed: \(result.standardError)")
        return db
    }

    /// The sample's lines as JSON objects.
    private func sampleConversations() throws -> [[String: Any]] {
        try String(decoding: Fixtures.data("sample.jsonl"), as: UTF8.self)
            .split(separator: "\n")
            .map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    @Test("list --json reports every visible conversation once, across cursor pages")
    func listPagesThroughEverything() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let visible = try sampleConversations().filter { $0["deleted_at"] is NSNull }.compactMap { $0["id"] as? String }
            var seen: [String] = []
            var cursor: String?
            repeat {
                var arguments = ["list", "--db", db, "--json", "--limit", "3"]
                if let cursor { arguments += ["--cursor", cursor] }
                let result = try await Convosync.run(arguments)
                #expect(result.status == 0)
                let page = try #require(JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
                #expect(page["total"] as? Int == visible.count)
                let items = try #require(page["conversations"] as? [[String: Any]])
                seen += items.compactMap { $0["id"] as? String }
                cursor = page["next_cursor"] as? String
            } while cursor != nil
            #expect(seen.count == visible.count)
            #expect(Set(seen) == Set(visible))
        }
    }

    @Test("list --include-deleted also shows soft-deleted conversations")
    func listIncludesDeletedOnRequest() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let all = try sampleConversations()
            try #require(all.contains { !($0["deleted_at"] is NSNull) }, "the sample should hold a soft-deleted conversation")
            let result = try await Convosync.run(["list", "--db", db, "--json", "--include-deleted", "--limit", "1000"])
            let page = try #require(JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
            #expect(page["total"] as? Int == all.count)
        }
    }

    @Test("show prints the title and every message; show --json prints the conversation's export line")
    func showPrintsConversation() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let lines = String(decoding: try Fixtures.data("sample.jsonl"), as: UTF8.self).split(separator: "\n")
            let first = try #require(try sampleConversations().first { $0["deleted_at"] is NSNull })
            let id = try #require(first["id"] as? String)

            let human = try await Convosync.run(["show", "--db", db, id])
            #expect(human.status == 0)
            if let title = first["title"] as? String { #expect(human.output.contains(title)) }
            #expect(human.output.contains(id))

            let json = try await Convosync.run(["show", "--db", db, "--json", id])
            #expect(json.status == 0)
            let exported = try await Convosync.run(["export", "--db", db])
            let exportedLine = exported.output.split(separator: "\n").first { $0.contains("\"id\":\"\(id)\"") }
            #expect(json.output.trimmingCharacters(in: .newlines) == exportedLine.map(String.init))
            #expect(lines.isEmpty == false)
        }
    }

    @Test("show of an unknown id says so and exits 65")
    func showUnknownConversation() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let result = try await Convosync.run(["show", "--db", db, "conv_does_not_exist"])
            #expect(result.status == 65)
            #expect(result.standardError.contains("conv_does_not_exist"))
            #expect(result.output.isEmpty)
        }
    }

    @Test("search prints ranked hits with highlighted snippets and where each came from")
    func searchFindsTitleWords() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let first = try #require(try sampleConversations().first { $0["deleted_at"] is NSNull && $0["title"] is String })
            let title = try #require(first["title"] as? String)
            let word = try #require(
                title.split(whereSeparator: { !$0.isLetter }).map(String.init).max(by: { $0.count < $1.count }))

            let json = try await Convosync.run(["search", "--db", db, "--json", word])
            #expect(json.status == 0)
            let document = try #require(JSONSerialization.jsonObject(with: json.standardOutput) as? [String: Any])
            let hits = try #require(document["hits"] as? [[String: Any]])
            try #require(!hits.isEmpty)
            for hit in hits {
                #expect(hit["conversation_id"] is String)
                #expect(hit.keys.contains("turn_id"))
                #expect(hit.keys.contains("title"))
                #expect((hit["snippet"] as? String)?.contains("<mark>") == true)
                #expect(hit["rank"] is Double)
            }
            let ranks = hits.compactMap { $0["rank"] as? Double }
            #expect(ranks == ranks.sorted(), "hits come best (lowest bm25) first")

            let human = try await Convosync.run(["search", "--db", db, word])
            #expect(human.status == 0)
            #expect(human.output.contains("["))
            #expect(human.output.contains("conversation "))
        }
    }

    @Test("search --in finds a word only within that conversation")
    func searchWithinOneConversation() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let everywhere = try await Convosync.run(["search", "--db", db, "--json", "--limit", "100", "the"])
            let all = try #require(JSONSerialization.jsonObject(with: everywhere.standardOutput) as? [String: Any])
            let ids = Set(try #require(all["hits"] as? [[String: Any]]).compactMap { $0["conversation_id"] as? String })
            try #require(ids.count > 1, "the word is in more than one conversation")
            let chosen = try #require(ids.sorted().first)

            let within = try await Convosync.run(["search", "--db", db, "--json", "--limit", "100", "--in", chosen, "the"])
            #expect(within.status == 0)
            let found = try #require(JSONSerialization.jsonObject(with: within.standardOutput) as? [String: Any])
            let hits = try #require(found["hits"] as? [[String: Any]])
            #expect(!hits.isEmpty)
            #expect(hits.allSatisfy { $0["conversation_id"] as? String == chosen })
        }
    }

    @Test("a search that matches nothing exits 0")
    func searchWithNoMatch() async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let result = try await Convosync.run(["search", "--db", db, "zzyzxqv"])
            #expect(result.status == 0)
            #expect(result.output.contains("No matches."))
        }
    }

    @Test(
        "odd search text gives results or a usage error, never a crash",
        arguments: ["\"unbalanced", "((", "NEAR", "*", ":", "a:b", "-", "'; DROP TABLE conversation; --", "🙂 ünïcödé",
            "title:renewal", "AND OR NOT", "^start", String(repeating: "x", count: 10_000), "\u{FFFD}\u{FFFD}"])
    func oddSearchText(text: String) async throws {
        try await withTemporaryDirectory { folder in
            let db = try await importedSample(in: folder)
            let result = try await Convosync.run(["search", "--db", db, "--json", text])
            #expect(result.status == 0 || result.status == 64, "\(result.standardError)")
            if result.status == 64 {
                #expect(result.standardError.hasPrefix("convosync: "))
                #expect(!result.standardError.contains("SQL"))
            }
        }
    }
}
