import ArgumentParser
import ConvoModel
import ConvoStore
import Foundation

/// `convosync show ID`: one conversation with its turns.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one conversation and its messages.",
        discussion: """
            ID is the remote conversation id, as `list` and `search` print it. With --json the \
            conversation is printed as one line of the export format.

            Example:
              convosync show --db work.convosync conv_3f2a9c1d8e7b6a50
            """
    )

    @OptionGroup var replica: ReplicaOptions

    @Argument(help: ArgumentHelp("The conversation's id.", valueName: "id"))
    var id: String

    @Flag(name: .customLong("include-deleted"), help: "Show a soft-deleted conversation, and deleted messages.")
    var includeDeleted = false

    func run() async throws {
        try await reportingFailures {
            let store = try replica.openForReading()
            guard let detail = try await store.conversation(id: id, includeDeleted: includeDeleted) else {
                throw CommandFailure(
                    "There is no conversation '\(id)' in '\(store.path)'"
                        + (includeDeleted ? "." : " (add --include-deleted to see deleted ones)."),
                    exitCode: SysExits.dataError)
            }
            if replica.json {
                let output = StandardOutput()
                try output.writeLine(try detail.exportLine())
                try output.flush()
            } else {
                printDetail(detail)
            }
        }
    }

    private func printDetail(_ detail: ConversationDetail) {
        let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
        let summary = detail.summary
        print(terminal.bold(TextLayout.printable(summary.title ?? "Untitled")))
        var facts = [summary.remoteID ?? "(local \(summary.localID))"]
        if let agent = summary.agentID { facts.append("agent \(TextLayout.printable(agent))") }
        if let source = summary.source {
            facts.append("source \(TextLayout.printable(source))" + (summary.sourceRefID.map { " (\(TextLayout.printable($0)))" } ?? ""))
        }
        if let updated = summary.updatedAt { facts.append("updated \(TextLayout.relative(updated))") }
        facts.append("\(detail.turns.count) messages")
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
