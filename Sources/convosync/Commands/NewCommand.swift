import ArgumentParser
import ConvoStore
import Foundation

/// `convosync new --agent ID [--title T]`: a conversation created offline-first.
struct NewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "new",
        abstract: "Create a conversation, offline-first.",
        discussion: """
            The conversation exists in the replica at once, named local:N until the remote \
            gives it an id (both are printed); 'convosync send local:N TEXT' works before the \
            create reached the remote, and goes out after it. The agent is the first --agent.

            Exit status: 0 the remote took it; 75 the remote cannot be reached now: the create \
            stays queued for the next 'convosync sync' or the daemon; 65 refused for good (kept: \
            see 'convosync retry' and 'convosync discard'); 64 no agent, or the dialect cannot \
            create (nothing queued); 66 no replica yet; 77 the credential was refused; 78 a \
            missing or wrong configuration.

            Example:
              convosync new --account work --agent agent_sales --title "Q3 renewal"
            """
    )

    @OptionGroup var account: AccountOptions

    @Option(help: ArgumentHelp("The conversation's title.", valueName: "title"))
    var title: String?

    @Flag(name: .long, help: "Print the op and its outcome as one JSON document, for scripts.")
    var json = false

    func validate() throws {
        if account.agentIDs.isEmpty { throw ValidationError("Name the conversation's agent with --agent ID.") }
        if let title, title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("The title is empty.")
        }
    }

    func run() async throws {
        try await reportingFailures {
            try await WriteSession.with(account) { session in
                try WriteSession.requireSupport(.createConversation, "create conversations", in: session.resolved.remote.dialect)
                guard let agent = account.agentIDs.first else { return }
                let ref = try await session.engine.createConversation(agentID: agent, title: title)
                guard case .local(let key) = ref,
                    let op = try await session.replica.pendingOutbox().first(where: { $0.conversationLocalID == key })
                else {
                    throw CommandFailure("The new conversation was not queued.", exitCode: SysExits.software)
                }
                let outcome = try await session.push(opID: op.id)
                let remoteID = try await session.replica.conversation(ref)?.summary.remoteID
                try session.report(
                    outcome, op: op, opID: op.id, json: json,
                    done: "Created \(remoteID.map(TextLayout.printable) ?? "local:\(key)") (local:\(key)).",
                    extra: ["conversation": remoteID.map(JSONValue.string) ?? .null, "local": .string("local:\(key)")])
            }
        }
    }
}
