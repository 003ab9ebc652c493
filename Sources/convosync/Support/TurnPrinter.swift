import ConvoStore
import Foundation

/// Prints a conversation's turns that are new or changed since the last look; a turn still
/// streaming waits until it is complete.
struct TurnPrinter {
    let conversationID: String
    let json: Bool
    private var seen: [Int64: Turn] = [:]
    private let output = StandardOutput()
    private let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)

    init(conversationID: String, baseline: ConversationDetail, json: Bool) {
        self.conversationID = conversationID
        self.json = json
        for (key, turn) in zip(baseline.turnLocalIDs, baseline.turns) { seen[key] = turn }
    }

    mutating func show(_ detail: ConversationDetail) throws {
        var printed = false
        for (key, turn) in zip(detail.turnLocalIDs, detail.turns) where turn.state != .inProgress {
            guard seen[key] != turn else { continue }
            seen[key] = turn
            try write(turn, key: key)
            printed = true
        }
        if printed { try output.flush() }
    }

    private func write(_ turn: Turn, key: Int64) throws {
        if json {
            let document = JSONValue.object([
                "conversation": .string(conversationID),
                "id": turn.id.isEmpty ? .null : .string(turn.id),
                "local": .string("local:\(key)"),
                "role": .string(turn.role.rawValue),
                "state": turn.state.map { JSONValue.string($0.rawValue) } ?? .null,
                "timestamp": turn.timestamp.map { JSONValue.string(Timestamp.format($0)) } ?? .null,
                "deleted": .bool(turn.deletedAt != nil),
                "text": .string(turn.text),
            ])
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try output.writeLine(String(decoding: try encoder.encode(document), as: UTF8.self))
            return
        }
        var heading = [turn.role.rawValue]
        if let timestamp = turn.timestamp { heading.append(Timestamp.format(timestamp)) }
        if let state = turn.state, state != .done { heading.append(state.rawValue) }
        if turn.deletedAt != nil { heading.append("deleted") }
        try output.writeLine(terminal.bold(heading.joined(separator: " · ")))
        for line in turn.text.split(separator: "\n", omittingEmptySubsequences: false) {
            try output.writeLine("  " + TextLayout.printable(String(line)))
        }
        if let detail = turn.errorDetail { try output.writeLine(terminal.red("  error: " + TextLayout.printable(detail))) }
    }
}
