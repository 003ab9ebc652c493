import ArgumentParser
import Foundation

/// `convosync rename CONV TITLE`: a new title, in the replica at once, pushed when the remote answers.
struct RenameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename",
        abstract: "Rename a conversation, offline-first.",
        discussion: """
            The title changes in the replica at once and the rename is queued, then pushed with a \
            short retry budget. Only dialects with a rename (agentflow) take it; elsewhere it is \
            refused before anything is queued. CONV is the remote id, or local:N.

            Exit status: 0 the remote took it; 75 the remote cannot be reached now: the rename \
            stays queued for the next 'convosync sync' or the daemon; 65 refused for good (kept: \
            see 'convosync retry' and 'convosync discard'), or no such conversation; 64 the \
            dialect cannot rename (nothing queued); 66 no replica yet; 77 the credential was \
            refused; 78 a missing or wrong configuration.

            Example:
              convosync rename --account work conv_3f2a9c1d8e7b6a50 "Q3 renewal"
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation: its remote id, or local:N.", valueName: "conv"))
    var conversation: ConversationArgument

    @Argument(help: ArgumentHelp("The new title.", valueName: "title"))
    var title: String

    @Flag(name: .long, help: "Print the op and its outcome as one JSON document, for scripts.")
    var json = false

    func validate() throws {
        if title.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("The title is empty.")
        }
    }

    func run() async throws {
        try await reportingFailures {
            try await WriteSession.with(account) { session in
                try WriteSession.requireSupport(.renameConversation, "rename conversations", in: session.resolved.remote.dialect)
                _ = try await session.requireConversation(conversation)
                try await session.queueAndPush(json: json) {
                    try await session.engine.rename(conversation.ref, to: title)
                } done: { op in
                    "Renamed \(TextLayout.printable(op?.conversationID ?? "\(conversation)")) to \"\(TextLayout.printable(title))\"."
                }
            }
        }
    }
}
