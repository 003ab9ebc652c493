import ArgumentParser
import ConvoModel
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

    private enum Event: Sendable {
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

    /// Runs the remote side and the printer together until one ends (a failure, the
    /// conversation gone) or the task is cancelled (a signal).
    private func follow(
        _ id: String, baseline: ConversationDetail, session: WriteSession, live: Bool
    ) async -> CommandFailure? {
        let engine = session.engine
        let replica = session.replica
        let resolved = session.resolved
        let interval = self.interval
        let json = self.json
        return await withTaskGroup(of: Event.self) { group in
            group.addTask {
                var printer = TurnPrinter(conversationID: id, baseline: baseline, json: json)
                do {
                    for try await detail in replica.observeConversation(id: id, includeDeleted: true) {
                        guard let detail else {
                            printError("convosync: the conversation is gone from the remote; nothing more to watch.")
                            return .ended(nil)
                        }
                        try printer.show(detail)
                    }
                    return .ended(nil)
                } catch let error as CommandFailure {
                    return .ended(error)
                } catch let error as StoreError {
                    return .ended(CommandFailure(error))
                } catch {
                    return .ended(CommandFailure("Watching the replica failed: \(error).", exitCode: SysExits.ioError))
                }
            }
            group.addTask {
                if live {
                    await engine.watch(id)
                    // The watch ends by itself on a hard delete (the printer says so) or when the
                    // remote turns out to serve no watch route: then syncs keep the conversation fresh.
                    while !Task.isCancelled, await engine.watchedConversations.contains(id) {
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                    guard engine.status.unavailableReads.contains("watch") else {
                        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
                        return .ended(nil)
                    }
                    printError("convosync: the remote serves no live stream; syncing every \(interval) s instead.")
                }
                var saidOffline = false
                while !Task.isCancelled {
                    do {
                        try await engine.sync()
                        saidOffline = false
                    } catch let error as SyncError where error.isRetryable {
                        if !saidOffline {
                            printError("convosync: the remote cannot be reached now; still trying every \(interval) s.")
                            saidOffline = true
                        }
                    } catch let error as SyncError {
                        if error.code == .cancelled || Task.isCancelled { break }
                        return .ended(CommandFailure(error, remote: resolved))
                    } catch {
                        break
                    }
                    try? await Task.sleep(for: .seconds(interval))
                }
                return .ended(nil)
            }
            let first = await group.next()
            group.cancelAll()
            if case .ended(let failure)? = first { return failure }
            return nil
        }
    }
}
