import ArgumentParser
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
    public static var allValueStrings: [String] { allCases.map(\.optionName) }
}
