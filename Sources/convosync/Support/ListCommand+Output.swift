import ConvoStore
import Foundation

/// How `list` prints a page, for a person or (`--json`) a script.
extension ListCommand {
    func printTable(_ page: ConversationPage) {
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

/// `list --json`: the page in the remote listings' own shape.
struct ListedPage: Encodable {
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

struct ListedConversation: Encodable {
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
