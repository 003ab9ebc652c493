import ArgumentParser
import ConvoSync
import Foundation

/// `convosync delete CONV [--message MSG]`: hidden in the replica at once, deleted on the remote
/// when it answers.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a conversation, or one message of it, offline-first.",
        discussion: """
            The conversation (or, with --message, the message) is hidden in the replica at once \
            (list and search stop showing it) and the delete is queued, then pushed with a short \
            retry budget. Where the dialect deletes softly (knowrithm) 'convosync restore' brings \
            it back; elsewhere the remote deletes for good. Deleting one message needs a dialect \
            with message deletes (knowrithm). CONV and MSG are remote ids, or local:N.

            Exit status: 0 the remote took it; 75 the remote cannot be reached now: the delete \
            stays queued for the next 'convosync sync' or the daemon; 65 refused for good (kept: \
            see 'convosync retry' and 'convosync discard'), or no such conversation or message; \
            64 the dialect cannot do it, or it is deleted already (nothing queued); 66 no replica \
            yet; 77 the credential was refused; 78 a missing or wrong configuration.

            Example:
              convosync delete --account work conv_3f2a9c1d8e7b6a50
              convosync delete --account support conv_3f2a9c1d8e7b6a50 --message msg_9d1c
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation: its remote id, or local:N.", valueName: "conv"))
    var conversation: ConversationArgument

    @Option(help: ArgumentHelp("Delete only this message of it (remote id, or local:N).", valueName: "msg"))
    var message: MessageArgument?

    @Flag(name: .long, help: "Print the op and its outcome as one JSON document, for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            try await WriteSession.with(account) { session in
                let dialect = session.resolved.remote.dialect
                if let message {
                    try WriteSession.requireSupport(.deleteMessage, "delete single messages", in: dialect)
                    _ = try await session.requireConversation(conversation)
                    try await session.queueAndPush(json: json) {
                        try await session.engine.deleteMessage(message.ref, in: conversation.ref)
                    } done: { _ in
                        "Deleted message \(message) of \(conversation)."
                    }
                } else {
                    try WriteSession.requireSupport(.deleteConversation, "delete conversations", in: dialect)
                    let detail = try await session.requireConversation(conversation)
                    if detail.summary.deletedAt != nil {
                        throw CommandFailure("Conversation '\(conversation)' is deleted already.", exitCode: SysExits.usage)
                    }
                    let how = RemoteCapabilities.of(dialect).softDeletes ? "restorable with 'convosync restore'" : "for good"
                    try await session.queueAndPush(json: json) {
                        try await session.engine.delete(conversation.ref)
                    } done: { op in
                        "Deleted \(TextLayout.printable(op?.conversationID ?? "\(conversation)")) (\(how))."
                    }
                }
            }
        }
    }
}
