import ArgumentParser
import ConvoModel
import ConvoStore
import Foundation

/// `convosync list`: a page of conversations, most recently updated first.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List conversations in a replica.",
        discussion: """
            Soft-deleted conversations are hidden unless --include-deleted is given. Pages are \
            cursor-based: pass the printed cursor to --cursor for the next page.

            Example:
              convosync list --db work.convosync --source slack --limit 10
            """
    )

    @OptionGroup var replica: ReplicaOptions
    @OptionGroup var filter: FilterOptions

    @Flag(name: .customLong("include-deleted"), help: "Also list soft-deleted conversations.")
    var includeDeleted = false

    @Option(help: ArgumentHelp("The order: \(ConversationSort.allCases.map(\.optionName).joined(separator: ", ")).", valueName: "order"))
    var sort: ConversationSort = .updatedAtDescending

    @Option(help: ArgumentHelp("Conversations per page (1-\(ConversationQuery.maximumLimit)).", valueName: "n"))
    var limit = 20

    @Option(help: ArgumentHelp("The cursor printed by the previous page.", valueName: "cursor"))
    var cursor: String?

    func validate() throws {
        guard (1...ConversationQuery.maximumLimit).contains(limit) else {
            throw ValidationError("--limit must be between 1 and \(ConversationQuery.maximumLimit).")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let store = try replica.openForReading()
            let query = ConversationQuery(
                filters: filter.filters(includeDeleted: includeDeleted), sort: sort, limit: limit, cursor: cursor)
            let page = try await store.conversations(query)
            if replica.json {
                try printJSON(ListedPage(page))
            } else {
                printTable(page)
            }
        }
    }

    private func printTable(_ page: ConversationPage) {
        let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
        guard !page.items.isEmpty else {
            print("No conversations match.")
            return
        }
        let rows = page.items.map { item in
            [
                item.remoteID ?? "(local \(item.localID))",
                item.updatedAt.map { TextLayout.relative($0) } ?? "-",
                String(item.turnCount),
                (item.deletedAt == nil ? "" : "[deleted] ") + (item.title ?? "Untitled"),
            ]
        }
        let lines = TextLayout.table(header: ["ID", "UPDATED", "TURNS", "TITLE"], rows: rows, width: terminal.width)
        print(terminal.bold(lines[0]))
        lines.dropFirst().forEach { print($0) }
        var footer = "\(page.items.count) of \(page.total) conversations"
        if let next = page.nextCursor { footer += " · next page: --cursor \(next)" }
        print(terminal.dim(footer))
    }
}

extension ConversationSort: ExpressibleByArgument {
    /// The spelling on the command line: `updated-desc`, `created-asc`, `title`, ...
    var optionName: String {
        switch self {
        case .updatedAtDescending: "updated-desc"
        case .updatedAtAscending: "updated-asc"
        case .createdAtAscending: "created-asc"
        case .createdAtDescending: "created-desc"
        case .titleAscending: "title"
        }
    }

    /// The sort a `--sort` value names.
    public init?(argument: String) {
        guard let match = Self.allCases.first(where: { $0.optionName == argument }) else { return nil }
        self = match
    }

    /// Every `--sort` value, for help and completion.
    /// Every `--sort` value, for help and completion.
    public static var allValueStrings: [String] { allCases.map(\.optionName) }
}

/// `list --json`: the page in the remote listings' own shape.
private struct ListedPage: Encodable {
    let conversations: [ListedConversation]
    let total: Int
    let nextCursor: String?

    init(_ page: ConversationPage) {
        conversations = page.items.map(ListedConversation.init)
        total = page.total
        nextCursor = page.nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case conversations, total
        case nextCursor = "next_cursor"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversations, forKey: .conversations)
        try container.encode(total, forKey: .total)
        try container.encode(nextCursor, forKey: .nextCursor)  // null on the last page, not omitted
    }
}

private struct ListedConversation: Encodable {
    let summary: ConversationSummary

    enum CodingKeys: String, CodingKey {
        case id, title, metadata, source
        case agentID = "agent_id", sourceRefID = "source_ref_id", messageCount = "message_count"
        case turnCount = "turn_count", createdAt = "created_at", updatedAt = "updated_at", deletedAt = "deleted_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(summary.remoteID, forKey: .id)
        try container.encode(summary.agentID, forKey: .agentID)
        try container.encode(summary.title, forKey: .title)
        try container.encode(summary.metadata, forKey: .metadata)
        try container.encode(summary.source, forKey: .source)
        try container.encode(summary.sourceRefID, forKey: .sourceRefID)
        try container.encode(summary.messageCount, forKey: .messageCount)
        try container.encode(summary.turnCount, forKey: .turnCount)
        try container.encode(summary.createdAt.map(Timestamp.format), forKey: .createdAt)
        try container.encode(summary.updatedAt.map(Timestamp.format), forKey: .updatedAt)
        try container.encode(summary.deletedAt.map(Timestamp.format), forKey: .deletedAt)
    }
}
