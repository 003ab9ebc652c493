import ArgumentParser
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
                let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
                Rendering.printDetail(detail, includeDeleted: includeDeleted, terminal: terminal)
            }
        }
    }
}
