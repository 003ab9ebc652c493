import ConvoModel
import ConvoStore
import Foundation

/// One conversation reduced to what a dialect shows of it: compared between the replica and
/// the emulator's truth to say "the replica is equal to the remote".
public struct ExpectedConversation: Hashable, Sendable, CustomStringConvertible {
    /// One turn as the dialect shows it.
    public struct ExpectedTurn: Hashable, Sendable {
        public var id: String
        public var role: String
        public var text: String
        public var deleted: Bool
    }

    public var id: String
    public var title: String?
    public var deleted: Bool
    public var turns: [ExpectedTurn]

    public var description: String { "\(id) \(title ?? "-") deleted=\(deleted) turns=\(turns.map { "\($0.id)\($0.deleted ? "(x)" : "")" })" }

    /// What the dialect serves of the truth: knowrithm lists soft-deleted conversations and
    /// messages; the others hide them. `turns` shows no titles; flat dialects join fragments.
    public static func fromTruth(_ truth: [[String: Any]], dialect: Dialect) -> [ExpectedConversation] {
        truth.compactMap { conversation -> ExpectedConversation? in
            let deleted = !(conversation["deleted_at"] is NSNull) && conversation["deleted_at"] != nil
            if deleted && dialect != .knowrithm { return nil }
            let turns = (conversation["turns"] as? [[String: Any]] ?? []).compactMap { turn -> ExpectedTurn? in
                let turnDeleted = !(turn["deleted_at"] is NSNull) && turn["deleted_at"] != nil
                if turnDeleted && dialect != .knowrithm { return nil }
                let fragments = (turn["fragments"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
                return ExpectedTurn(
                    id: turn["id"] as? String ?? "", role: turn["role"] as? String ?? "",
                    text: fragments.joined(separator: dialect == .turns ? "" : "\n\n"), deleted: turnDeleted)
            }
            var title = conversation["title"] as? String
            if dialect == .turns || title?.isEmpty == true { title = nil }
            return ExpectedConversation(id: conversation["id"] as? String ?? "", title: title, deleted: deleted, turns: turns)
        }
        .sorted { $0.id < $1.id }
    }

    /// Every conversation the replica holds (soft-deleted ones included, purged ones not).
    public static func fromReplica(_ replica: Replica, dialect: Dialect) async throws -> [ExpectedConversation] {
        var all: [ExpectedConversation] = []
        var cursor: String?
        repeat {
            var query = ConversationQuery(limit: 500)
            query.filters.includeDeleted = true
            query.cursor = cursor
            let page = try await replica.conversations(query)
            for summary in page.items {
                guard let id = summary.remoteID,
                    let detail = try await replica.conversation(id: id, includeDeleted: true)
                else { continue }
                let turns = detail.turns.map { turn in
                    ExpectedTurn(id: turn.id, role: turn.role.rawValue, text: turn.text, deleted: turn.deletedAt != nil)
                }
                all.append(ExpectedConversation(id: id, title: summary.title, deleted: summary.deletedAt != nil, turns: turns))
            }
            cursor = page.nextCursor
        } while cursor != nil
        return all.sorted { $0.id < $1.id }
    }
}
