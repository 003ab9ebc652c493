import ArgumentParser
import ConvoStore

/// `convosync export`: the replica as JSONL on standard output.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write every conversation as JSON Lines to standard output.",
        discussion: """
            One conversation per line, ordered by id, with its turns and fragments. Soft-deleted \
            conversations and turns are included with their deleted_at; what the remote \
            hard-deleted is not. Two exports of replicas in step are byte-identical, so they \
            can be diffed. `convosync import` reads the same format.

            Example:
              convosync export --db work.convosync > conversations.jsonl
              convosync export --account work > conversations.jsonl
            """
    )

    @OptionGroup var location: ReplicaLocationOptions

    func run() async throws {
        try await reportingFailures {
            let store = try Replica.openForReading(at: try location.path())
            let output = StandardOutput()
            try store.export { line in try output.writeLine(line) }
            try output.flush()
        }
    }
}
