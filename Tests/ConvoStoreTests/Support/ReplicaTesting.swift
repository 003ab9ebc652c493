import ConvoModel
@testable import ConvoStore
import Foundation
import TestSupport

/// Helpers shared by the replica tests: a fresh replica per test, and small conversations.
enum ReplicaTesting {
    static let account = AccountBinding(baseURL: "https://api.example.com/v1", dialect: .agentflow)

    /// Runs `body` with a fresh replica in its own temp folder.
    static func withReplica<T>(_ body: (Replica) async throws -> T) async throws -> T {
        try await withTemporaryDirectory { folder in
            let replica = try Replica.open(at: folder.appendingPathComponent("test.convosync").path, account: account)
            return try await body(replica)
        }
    }

    static func date(_ text: String) -> Date {
        Timestamp.parse(text) ?? Date(timeIntervalSince1970: 0)
    }

    static func conversation(
        _ id: String, title: String? = nil, agent: String = "agent_1", source: String? = "web",
        updated: String = "2026-01-02T03:04:05Z", created: String = "2026-01-01T00:00:00Z", deletedAt: Date? = nil
    ) -> Conversation {
        Conversation(
            id: id, agentID: agent, title: title ?? "Conversation \(id)", source: source, sourceRefID: "ref_\(id)",
            createdAt: date(created), updatedAt: date(updated), deletedAt: deletedAt)
    }

    static func turn(_ id: String, _ text: String..., role: Role = .user, at time: String = "2026-01-02T03:04:05Z")
        -> Turn
    {
        Turn(
            id: id, role: role, timestamp: date(time), state: .done,
            fragments: text.map { Fragment(content: $0, state: .done) })
    }

    /// Every JSONL line of the replica's export.
    static func exportLines(_ replica: Replica) throws -> [String] {
        var lines: [String] = []
        try replica.export { lines.append($0) }
        return lines
    }

    /// An async sequence over fixed lines.
    static func lines(_ lines: [String]) -> AsyncStream<String> {
        AsyncStream { continuation in
            for line in lines { continuation.yield(line) }
            continuation.finish()
        }
    }

    /// Runs raw SQL on the replica's writer: only for rows this module's API does not write
    /// (outbox ops and files come with the sync engine) and for a migration from the future.
    static func execute(_ sql: String, in replica: Replica) async throws {
        try await replica.writing { db in try db.execute(sql: sql) }
    }
}
