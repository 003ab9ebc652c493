import ConvoStore
import ConvoSync
import Foundation

/// How `watch` follows a conversation: the remote side and the printer, side by side.
extension WatchCommand {
    /// Runs the remote side and the printer together until one ends (a failure, the
    /// conversation gone) or the task is cancelled (a signal).
    func follow(
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
