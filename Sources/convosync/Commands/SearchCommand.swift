import ArgumentParser
import ConvoStore
import Foundation

/// `convosync search TEXT`: full-text search over titles and message text, best first.
struct SearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search conversation titles and messages, offline.",
        discussion: """
            Words must all match (in one title or one message). "a phrase" matches words in \
            order, -word leaves out matches containing it, and prefix* matches word starts. \
            Case and accents are ignored. Deleted conversations are never found. \
            Nothing found is not an error: the exit status is 0.

            Example:
              convosync search --db work.convosync '"renewal quote" -draft acme*'
              convosync search --db work.convosync --in conv_123 invoice
            """
    )

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var filter: FilterOptions

    @Argument(help: ArgumentHelp("What to look for.", valueName: "text"))
    var text: String

    @Option(help: ArgumentHelp("The most hits to show (1-1000).", valueName: "n"))
    var limit = 10

    @Option(name: .customLong("in"), help: ArgumentHelp("Search within this conversation only.", valueName: "conversation-id"))
    var conversationID: String?

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit must be between 1 and 1000.") }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try replica.openForReading()
            var filters = filter.filters(includeDeleted: false)
            filters.conversationID = conversationID
            if replica.json {
                let hits = try await store.search(text, filters: filters, limit: limit, markers: Self.jsonMarkers)
                try printJSON(SearchResults(query: text, hits: hits.map(SearchResults.Hit.init)))
            } else {
                let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
                let hits = try await store.search(text, filters: filters, limit: limit, markers: Self.privateMarkers)
                Rendering.printHits(hits, terminal: terminal)
            }
        }
    }

    /// JSON snippets mark matches like HTML's `<mark>` element.
    static let jsonMarkers = SnippetMarkers(open: "<mark>", close: "</mark>")
    /// Human output asks for private-use markers, strips control characters from the text
    /// (a remote's text may hold escape sequences), then turns the markers into styles.
    static let privateMarkers = SnippetMarkers(open: "\u{E000}", close: "\u{E001}")
}

/// `search --json`: the query and its hits, best first.
private struct SearchResults: Encodable {
    let query: String
    let hits: [Hit]

    struct Hit: Encodable {
        let conversationID: String
        let turnID: String?
        let title: String?
        let snippet: String
        /// bm25: lower is a better match.
        let rank: Double

        init(_ hit: SearchHit) {
            conversationID = hit.conversationID
            turnID = hit.turnID
            title = hit.title
            snippet = hit.snippet
            rank = hit.rank
        }

        enum CodingKeys: String, CodingKey {
            case title, snippet, rank
            case conversationID = "conversation_id", turnID = "turn_id"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(conversationID, forKey: .conversationID)
            try container.encode(turnID, forKey: .turnID)
            try container.encode(title, forKey: .title)
            try container.encode(snippet, forKey: .snippet)
            try container.encode(rank, forKey: .rank)
        }
    }
}
