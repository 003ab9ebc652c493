import ArgumentParser
import Foundation

/// `convosync restore CONV [--message MSG]`: brings back a soft-deleted conversation or message.
struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a soft-deleted conversation, or one message of it, offline-first.",
        discussion: """
            The conversation (or, with --message, the message) shows again in the replica at \
            once and the restore is queued, then pushed with a short retry budget. Only dialects \
            with soft deletes (knowrithm) can restore; elsewhere it is refused before anything \
            is queued. CONV and MSG are remote ids, or local:N.

            Exit status: 0 the remote took it; 75 the remote cannot be reached now: the restore \
            stays queued for the next 'convosync sync' or the daemon; 65 refused for good (kept: \
            see 'convosync retry' and 'convosync discard'), or no such conversation or message; \
            64 the dialect cannot restore (nothing queued); 66 no replica yet; 77 the credential \
            was refused; 78 a missing or wrong configuration.

            Example:
              convosync restore --account support conv_3f2a9c1d8e7b6a50
              convosync restore --account support conv_3f2a9c1d8e7b6a50 --message msg_9d1c
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation: its remote id, or local:N.", valueName: "conv"))
    var conversation: ConversationArgument

    @Option(help: ArgumentHelp("Restore only this message of it (remote id, or local:N).", valueName: "msg"))
    var message: MessageArgument?

    @Flag(name: .long, help: "Print the op and its outcome as one JSON document, for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            try await WriteSession.with(account) { session in
                let dialect = session.resolved.remote.dialect
                _ = try await session.requireConversation(conversation)
                if let message {
                    try WriteSession.requireSupport(.restoreMessage, "restore single messages", in: dialect)
                    try await session.queueAndPush(json: json) {
                        try await session.engine.restoreMessage(message.ref, in: conversation.ref)
                    } done: { _ in
                        "Restored message \(message) of \(conversation)."
                    }
                } else {
                    try WriteSession.requireSupport(.restoreConversation, "restore conversations", in: dialect)
                    try await session.queueAndPush(json: json) {
                        try await session.engine.restore(conversation.ref)
                    } done: { op in
                        "Restored \(TextLayout.printable(op?.conversationID ?? "\(conversation)"))."
                    }
                }
            }
        }
    }
}
