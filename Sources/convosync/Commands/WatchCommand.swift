import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation


/// `convosync watch CONV`: follows one conversation live into the replica and prints each
/// message as it lands, until SIGINT or SIGTERM.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Follow a conversation live and print each message as it lands.",
        discussion: """
            Keeps the conversation in step with the remote and prints every message that \
            arrives or changes, once it is complete (a streamed reply prints when it ends). \
            Where the dialect has a live event stream (agentflow) each change lands as it \
            happens and a cut stream resumes where it stopped; elsewhere the account is synced \
            every --interval seconds instead, and standard error says so once. Every change is \
            written to the replica, so 'convosync show' sees it too. CONV is the remote id (or \
            local:N once its create reached the remote). --json prints one JSON object per \
            message and line.

            Stop it with Ctrl-C (SIGINT) or SIGTERM: it exits 0, the replica consistent. Exit \
            status otherwise: 65 no such conversation, or not on the remote yet; 66 no replica \
            yet; 77 the credential was refused; 78 a missing or wrong configuration.

            Example:
              convosync watch --account work conv_3f2a9c1d8e7b6a50
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation: its remote id, or local:N.", valueName: "conv"))
    var conversation: ConversationArgument

    @Option(help: ArgumentHelp("Seconds between syncs where the dialect has no live stream (1-86400).", valueName: "seconds"))
    var interval: Int = 5

    @Flag(name: .long, help: "Print one JSON object per message and line, for scripts.")
    var json = false

    func validate() throws {
        guard (1...86_400).contains(interval) else {
            throw ValidationError("--interval must be between 1 and 86400 seconds.")
        }
    }

    enum Event: Sendable {
        case ended(CommandFailure?)
    }

    func run() async throws {
        try await reportingFailures {
            try await WriteSession.with(account) { session in
                let detail = try await session.requireConversation(conversation)
                guard let id = detail.summary.remoteID else {
                    throw CommandFailure(
                        "Conversation '\(conversation)' has not reached the remote yet; push it with 'convosync sync', then watch it.",
                        exitCode: SysExits.dataError)
                }
                let live = session.engine.api.capabilities.watchStream
                if !live {
                    printError("convosync: the \(session.resolved.remote.dialect.rawValue) dialect has no live stream; syncing every \(interval) s instead.")
                }
                printError("Watching \(TextLayout.printable(id)); stop with Ctrl-C.")
                let (failure, signal) = await Interruption.run {
                    await follow(id, baseline: detail, session: session, live: live)
                }
                await session.engine.stopAllWatches()
                if signal == nil, let failure = failure ?? nil { throw failure }
            }
        }
    }
}
