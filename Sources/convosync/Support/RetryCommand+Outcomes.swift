import ConvoStore
import ConvoSync
import Foundation

/// How `retry --all` pushes and reports on every op it queued again.
extension RetryCommand {
    /// `--all` with a remote: one push, then each op's outcome; the worst one sets the status.
    func pushAll(_ ids: [Int64], before: [OutboxOp], in session: WriteSession) async throws {
        guard !ids.isEmpty else {
            if json {
                try printJSON(JSONValue.object(["outcome": .string("pushed"), "ops": .array([])]))
            } else {
                print("The outbox is empty: nothing to retry.")
            }
            return
        }
        let waiting = try await session.pushOutbox(naming: "ops \(ids.map { String($0) }.joined(separator: ", "))")
        var documents: [JSONValue] = []
        var pushed = 0
        var queued: [Int64] = []
        var refused: [(Int64, String)] = []
        for op in before {
            var document = OpDocument(op)
            switch try await session.outcome(of: op.id, waiting: waiting) {
            case .pushed:
                pushed += 1
                document.state = "pushed"
            case .queued:
                queued.append(op.id)
                document.state = "pending"
            case .failed(let reason):
                refused.append((op.id, reason))
                document.state = "failed"
                document.lastError = reason
            }
            documents.append(document.json)
        }
        let outcome = !refused.isEmpty ? "failed" : !queued.isEmpty ? "queued" : "pushed"
        if json {
            try printJSON(JSONValue.object(["outcome": .string(outcome), "ops": .array(documents)]))
        } else {
            print("\(pushed) of \(ids.count) ops reached the remote.")
        }
        if let first = refused.first {
            let (id, reason) = first
            throw CommandFailure(
                "The remote refused \(refused.count == 1 ? "op \(id)" : "\(refused.count) ops") again (op \(id): \(TextLayout.printable(reason))); \(refused.count == 1 ? "it is" : "they are") kept: 'convosync discard ID' drops one.",
                exitCode: SysExits.dataError)
        }
        if !queued.isEmpty {
            throw CommandFailure(
                "Cannot reach the remote now; \(queued.count) ops stay queued for the next 'convosync sync' or the daemon.",
                exitCode: SysExits.temporaryFailure)
        }
    }

    static func queuedSentence(_ ids: [Int64]) -> String {
        switch ids.count {
        case 0: "The outbox is empty: nothing to retry."
        case 1: "Op \(ids[0]) is queued again; the next 'convosync sync' or the daemon pushes it."
        default: "\(ids.count) ops are queued again; the next 'convosync sync' or the daemon pushes them."
        }
    }
}
