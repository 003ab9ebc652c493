import ArgumentParser
import ConvoStore
import Foundation

/// `convosync send CONV TEXT`: a message, in the replica at once, pushed when the remote answers.
struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send a message to a conversation, offline-first.",
        discussion: """
            The message is in the replica at once (search and show find it) and queued in the \
            outbox; convosync then tries to push it, with a short retry budget, and prints the \
            agent's reply once it landed in the replica. CONV is the remote conversation id, or \
            local:N for a conversation created offline (as 'convosync new' and 'convosync status' \
            print it). The credential is never a flag: with --remote it comes from \
            CONVOSYNC_API_KEY (and CONVOSYNC_API_SECRET for knowrithm), else the credentials \
            file; a saved --account uses its stored one unless --credential-from-env is given.

            Exit status: 0 the remote took the message; 75 the remote cannot be reached now (or \
            rate limits): the message stays queued and the next 'convosync sync' or the daemon \
            sends it, exactly once; 65 the remote refused it for good (it is kept: see \
            'convosync retry' and 'convosync discard'), or no such conversation; 64 the dialect \
            cannot send (nothing queued); 66 no replica yet; 77 the credential was refused; 78 a \
            missing or wrong configuration.

            Example:
              convosync send --account work conv_3f2a9c1d8e7b6a50 "Summarise this thread"
              CONVOSYNC_API_KEY=... convosync send --db work.convosync --remote https://api.example.com/v1 --dialect agentflow local:42 "Hello"
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation: its remote id, or local:N.", valueName: "conv"))
    var conversation: ConversationArgument

    @Argument(help: ArgumentHelp("The message.", valueName: "text"))
    var text: String

    @Flag(name: .long, help: "Print the op, its outcome and the reply as one JSON document, for scripts.")
    var json = false

    func validate() throws {
        if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("The message is empty.")
        }
    }

    func run() async throws {
        try await reportingFailures {
            try await WriteSession.with(account) { session in
                try WriteSession.requireSupport(.sendMessage, "send messages", in: session.resolved.remote.dialect)
                let detail = try await session.requireConversation(conversation)
                if detail.summary.deletedAt != nil {
                    throw CommandFailure(
                        "Conversation '\(conversation)' is deleted; restore it first ('convosync restore \(conversation)').",
                        exitCode: SysExits.dataError)
                }
                let written = try await session.engine.send(text, to: conversation.ref)
                let op = try await session.replica.pendingOutbox().first { $0.id == written.opID }
                let outcome = try await session.push(opID: written.opID)
                let reply = try await self.reply(to: written, in: session, after: outcome)
                let target = TextLayout.printable(op?.conversationID ?? "\(conversation)")
                var done = "Sent to \(target) (op \(written.opID))."
                if let reply {
                    for line in reply.text.split(separator: "\n", omittingEmptySubsequences: false) {
                        done += "\n  " + TextLayout.printable(String(line))
                    }
                }
                try session.report(
                    outcome, op: op, opID: written.opID, json: json, done: done,
                    extra: ["reply": reply.map { JSONValue.string($0.text) } ?? .null])
            }
        }
    }

    /// The agent's answer: the first assistant turn after the sent message, once pushed.
    private func reply(to written: EnqueuedWrite, in session: WriteSession, after outcome: WriteSession.Outcome)
        async throws -> Turn?
    {
        guard case .pushed = outcome, let sent = written.turnLocalID,
            let detail = try await session.replica.conversation(.local(written.conversationLocalID)),
            let index = detail.turnLocalIDs.firstIndex(of: sent)
        else { return nil }
        return detail.turns.dropFirst(index + 1).first { $0.role == .assistant }
    }
}
