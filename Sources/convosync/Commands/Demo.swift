import ArgumentParser
import ConvoAccounts
import ConvoEmulator
import ConvoStore
import ConvoSync
import Foundation
import Logging

/// The demo's steps, in order, sharing one replica and one engine across the platform's
/// two lives.
struct Demo {
    let replicaPath: String
    let remoteDatabase: String
    let conversations: Int
    let environment: [String: String]
    let terminal: Terminal
    let quiet = Logger(label: "convosync.demo", factory: { _ in SwiftLogNoOpLogHandler() })
    private var port = 0
    private var step = 0

    init(replicaPath: String, remoteDatabase: String, conversations: Int, environment: [String: String]) {
        self.replicaPath = replicaPath
        self.remoteDatabase = remoteDatabase
        self.conversations = conversations
        self.environment = environment
        terminal = Terminal.standardOutput(environment: environment)
    }

    mutating func run() async throws {
        heading("Starting an emulated agent platform on loopback")
        var account: RemoteAccount?
        var shown: String?
        try await withEmulator(platform(port: 0), logger: quiet) { emulator in
            port = emulator.addresses.port
            account = try Self.account(on: emulator)
            print("  agentflow API at \(emulator.baseURL(.agentflow)), tenant '\(emulator.addresses.tenant)', \(conversations) conversations")
        }
        guard let account else { return }
        // The platform's first life ended with the setup above; each step below restarts it
        // where it needs it, always on the same port (the replica is bound to its URL).
        var remote = RemoteConfiguration()
        remote.timeouts.connect = .seconds(1)
        var configuration = SyncConfiguration()
        configuration.retry = RetryPolicy(attempts: 2, initialDelay: .milliseconds(50), maxDelay: .milliseconds(200))
        try await SyncSession.with(replicaAt: replicaPath, account: account, configuration: configuration, remote: remote, logger: quiet) { session in
            var demo = self
            try await withEmulator(platform(port: port), logger: quiet) { _ in
                demo.heading("Syncing it into a local replica")
                try await demo.syncWithProgress(session)
                demo.heading("Searching the replica for \"renewal\"")
                let hits = try await session.replica.search("renewal", limit: 3, markers: SearchCommand.privateMarkers)
                Rendering.printHits(hits, terminal: demo.terminal)
                shown = hits.first?.conversationID
                if let id = shown, let detail = try await session.replica.conversation(id: id) {
                    demo.heading("One conversation")
                    Rendering.printDetail(Self.lastTurns(detail, 4), includeDeleted: false, terminal: demo.terminal)
                }
            }
            demo.heading("The platform is down: the replica still answers, writes wait in the outbox")
            let offline = try await session.replica.search("pipeline", limit: 1, markers: SearchCommand.privateMarkers)
            print("  search \"pipeline\" offline: \(offline.isEmpty ? "nothing" : "found, e.g.") \(offline.first.map { "'\(TextLayout.printable($0.title ?? "Untitled"))'" } ?? "")")
            guard let id = shown else { return }
            try await session.engine.send("Can you draft the renewal email for Friday?", to: .remote(id))
            try await session.engine.rename(.remote(id), to: "Acme renewal (demo)")
            let created = try await session.engine.createConversation(agentID: account.agentIDs.first ?? "", title: "Notes written offline")
            try await session.engine.send("Remind me to call Northwind on Monday.", to: created)
            do {
                try await session.engine.push()
            } catch let error as SyncError where error.isRetryable {
                print("  the push failed as expected: \(error.message)")
            }
            let queued = try await session.replica.pendingOutbox()
            print("  \(queued.count) writes queued: " + queued.map(\.kind).joined(separator: ", "))
            if let detail = try await session.replica.conversation(id: id) {
                print("  shown at once in the replica: '\(TextLayout.printable(detail.summary.title ?? ""))', last message \"\(TextLayout.printable(detail.turns.last?.text ?? ""))\"")
            }

            demo.heading("The platform is back: the queue flushes, each write exactly once")
            try await withEmulator(platform(port: port), logger: quiet) { _ in
                let report = try await session.engine.sync()
                print("  pushed \(report.pushed) writes; \(try await session.replica.pendingOutbox().count) left in the outbox")
                if let detail = try await session.replica.conversation(id: id) {
                    Rendering.printDetail(Self.lastTurns(detail, 2), includeDeleted: false, terminal: demo.terminal)
                }
                if let made = try await session.replica.conversation(created) {
                    print("")
                    print("  the offline conversation is now \(made.summary.remoteID ?? "?") on the platform, with \(made.turns.count) messages")
                }
            }
            demo.heading("Try it yourself (offline, on the replica the demo left)")
            print("  replica: \(replicaPath)")
            print("  convosync search --db \(Self.quoted(replicaPath)) '\"renewal email\"'     # the message you queued offline")
            print("  convosync show --db \(Self.quoted(replicaPath)) \(id)")
            print("  convosync list --db \(Self.quoted(replicaPath)) --limit 10")
        }
    }

    private mutating func heading(_ title: String) {
        step += 1
        print("")
        print(terminal.bold("\(step). \(title)"))
    }
}
