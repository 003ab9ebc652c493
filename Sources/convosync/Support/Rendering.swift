import ConvoStore
import Foundation

/// How conversations and search hits look on a terminal; shared by `search`, `show` and `demo`.
/// Remote text is passed through `TextLayout.printable` first: it may hold escape sequences.
enum Rendering {
    /// Search hits, best first: title, highlighted snippet, where the match is.
    static func printHits(_ hits: [SearchHit], terminal: Terminal) {
        guard !hits.isEmpty else {
            print("No matches.")
            return
        }
        for (index, hit) in hits.enumerated() {
            if index > 0 { print("") }
            print(terminal.bold(TextLayout.truncate(TextLayout.printable(hit.title ?? "Untitled"), to: terminal.width)))
            let snippet = TextLayout.printable(hit.snippet)
                .replacingOccurrences(of: SearchCommand.privateMarkers.open, with: terminal.isStyled ? "\u{1B}[1;33m" : "[")
                .replacingOccurrences(of: SearchCommand.privateMarkers.close, with: terminal.isStyled ? "\u{1B}[0m" : "]")
            print("  " + snippet)
            let place = hit.turnID.map { "conversation \(hit.conversationID) · turn \($0)" }
                ?? "conversation \(hit.conversationID) · title"
            print(terminal.dim("  " + place))
        }
    }

    /// One conversation: its title, facts and every turn (deleted ones only with `includeDeleted`).
    static func printDetail(_ detail: ConversationDetail, includeDeleted: Bool, terminal: Terminal) {
        let summary = detail.summary
        print(terminal.bold(TextLayout.printable(summary.title ?? "Untitled")))
        var facts = [summary.remoteID ?? "(local \(summary.localID))"]
        if let agent = summary.agentID { facts.append("agent \(TextLayout.printable(agent))") }
        if let source = summary.source {
            facts.append("source \(TextLayout.printable(source))" + (summary.sourceRefID.map { " (\(TextLayout.printable($0)))" } ?? ""))
        }
        if let updated = summary.updatedAt { facts.append("updated \(TextLayout.relative(updated))") }
        facts.append("\(summary.turnCount) messages")
        print(terminal.dim(facts.joined(separator: " · ")))
        if let deleted = summary.deletedAt {
            print(terminal.red("Deleted \(TextLayout.relative(deleted)); restorable."))
        }
        for turn in detail.turns where includeDeleted || turn.deletedAt == nil {
            print("")
            var heading = [turn.role.rawValue]
            if let timestamp = turn.timestamp { heading.append(Timestamp.format(timestamp)) }
            if let state = turn.state, state != .done { heading.append(state.rawValue) }
            if turn.deletedAt != nil { heading.append("deleted") }
            print(terminal.bold(heading.joined(separator: " · ")))
            for line in turn.text.split(separator: "\n", omittingEmptySubsequences: false) {
                print("  " + TextLayout.printable(String(line)))
            }
            if let detailText = turn.errorDetail {
                print(terminal.red("  error: " + TextLayout.printable(detailText)))
            }
        }
    }
}
