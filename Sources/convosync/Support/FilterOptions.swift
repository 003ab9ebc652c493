import ArgumentParser
import ConvoStore
import Foundation

/// The conversation filters shared by `list` and `search`: the remote API's own.
struct FilterOptions: ParsableArguments {
    @Option(name: .customLong("agent"), help: ArgumentHelp("Only this agent's conversations.", valueName: "id"))
    var agentID: String?

    @Option(help: ArgumentHelp("Only conversations from this source (web, slack, ...).", valueName: "name"))
    var source: String?

    @Option(name: .customLong("source-ref"), help: ArgumentHelp("Only conversations with this source reference.", valueName: "id"))
    var sourceRefID: String?

    @Option(name: .customLong("exclude-source"), help: ArgumentHelp("Leave out conversations from this source.", valueName: "name"))
    var excludeSource: String?

    @Option(name: .customLong("updated-after"), help: ArgumentHelp("Only conversations updated after this RFC 3339 time.", valueName: "time"))
    var updatedAfter: String?

    func validate() throws {
        if let updatedAfter, Timestamp.parse(updatedAfter) == nil {
            throw ValidationError("--updated-after takes an RFC 3339 time such as 2026-03-01T09:30:00Z.")
        }
    }

    func filters(includeDeleted: Bool) -> ConversationFilters {
        ConversationFilters(
            agentID: agentID, source: source, sourceRefID: sourceRefID, excludeSource: excludeSource,
            includeDeleted: includeDeleted, updatedAfter: updatedAfter.flatMap(Timestamp.parse))
    }
}
