import ConvoModel
import ConvoStore
import Foundation

/// The store's workloads as the benchmarks run them, in one place so that the hand-rolled
/// `StoreBenchmark` and the package-benchmark `StoreRatios` measure the same rows the same way.
public enum Workload {
    /// Turns in each generated conversation.
    public static let turnsPerConversation = 10
    /// Fragments in each generated turn.
    public static let fragmentsPerTurn = 2
    /// The corpus seed: the same conversations on every run.
    public static let corpusSeed: UInt64 = 42
    /// Conversations a sync listing page carries, as the engine writes them.
    public static let pageSize = 100
    /// How many of the corpus's most common words search samples leave out as stop words:
    /// people search for "renewal", not for "the" or "of".
    public static let stopWordCount = 50

    /// The account a benchmark replica is bound to (never contacted).
    public static func account() -> AccountBinding {
        AccountBinding(baseURL: "http://127.0.0.1:8080/agentflow/v1", dialect: .agentflow)
    }

    /// The first `count` conversations of the corpus, with their turns.
    public static func generate(_ count: Int) -> [(Conversation, [Turn])] {
        let corpus = Corpus()
        return (0..<count).map {
            corpus.conversation($0, turns: turnsPerConversation, fragmentsPerTurn: fragmentsPerTurn, seed: corpusSeed)
        }
    }

    /// Fragments in `conversations` generated conversations.
    public static func fragments(conversations: Int) -> Int {
        conversations * turnsPerConversation * fragmentsPerTurn
    }

    /// Writes `data` through the sync's own write path: `applyListingPage`, one transaction
    /// per listing page of ``pageSize``.
    public static func writeListingPages(_ data: [(Conversation, [Turn])], to replica: Replica) async throws {
        var start = 0
        while start < data.count {
            let page = data[start..<min(start + pageSize, data.count)].map { conversation, turns in
                ListedConversation(conversation: conversation, turns: .replace(turns), changeToken: nil)
            }
            try await replica.applyListingPage(page, pass: 1, syncState: nil)
            start += pageSize
        }
    }

    /// Exports `replica` as JSONL to the file at `path` (created or truncated), buffered;
    /// returns the number of lines (conversations) written.
    @discardableResult
    public static func export(_ replica: Replica, toFile path: String) throws -> Int {
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var buffer = Data()
        let lines = try replica.export { line in
            buffer.append(contentsOf: line.utf8)
            buffer.append(0x0A)
            if buffer.count > 1 << 20 {
                handle.write(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        handle.write(buffer)
        try handle.close()
        return lines
    }

    /// Imports the JSONL file at `path` into `replica`, the way `convosync import` does.
    public static func importJSONL(fromFile path: String, into replica: Replica) async throws -> ImportReport {
        let input = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? input.close() }
        return try await replica.importJSONL(from: input)
    }
}
