import ConvoAccounts
import ConvoEmulator
import ConvoModel
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Logging
import ServiceLifecycle
import ServiceLifecycleTestKit
import Testing
import TestSupport

/// The supervisor `convosync daemon` runs, run the way an app runs it: in this process,
/// against the emulator started in this process, stopped by a graceful shutdown.
@Suite("AccountSupervisor in-process")
struct SupervisorInProcessTests {
    @Test("the supervisor syncs a saved account, picks up a remote change and stops gracefully, in-process", .timeLimit(.minutes(2)))
    func syncsSavedAccountAndStopsGracefully() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                let environment = Self.environment(in: folder)
                let paths = try XDGPaths(environment: environment)
                let remote = try EmulatorHarness.account(.agentflow, on: emulator)
                try Self.save(["work": remote], emulator: emulator, paths: paths)
                let replicaPath = paths.defaultReplica(account: "work")
                var configuration = AccountSupervisor.Configuration()
                configuration.sync.pullInterval = .milliseconds(200)
                configuration.statusFile = paths.statusFile
                configuration.ownsStatusFolder = true
                let logger = Logger(label: "convosync.tests.supervisor", factory: { _ in SwiftLogNoOpLogHandler() })
                var added: String?

                try await testGracefulShutdown { trigger in
                    let configuration = configuration
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask {
                            // README-SUPERVISOR-BEGIN
                            let supervisor = AccountSupervisor(configuration: configuration, logger: logger) {
                                try SupervisedAccount.saved(environment: environment)   // every saved account
                            }
                            // Until a graceful shutdown of the group (or app) that runs it: the
                            // transaction in flight lands, streams and replicas close.
                            try await supervisor.run()
                            // README-SUPERVISOR-END
                        }
                        try await Self.waitUntil("the first sync lands") { try await Self.held(replicaPath) > 0 }
                        let title = "Added while the supervisor runs"
                        added = try await EmulatorAdmin(emulator).createConversation(agentID: remote.agentIDs.first ?? "", title: title)
                        let id = try #require(added)
                        try await Self.waitUntil("the supervisor picks up the new conversation") {
                            try await Self.title(of: id, in: replicaPath) == title
                        }
                        trigger.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                    }
                }

                // Stopped cleanly: the replica closed equal to the remote, the status written last.
                let replica = try Replica.openExisting(at: replicaPath)
                #expect(try await replica.integrityCheck() == [])
                let truth = try await EmulatorHarness.comparison(replica, dialect: .agentflow, on: emulator)
                #expect(truth.replica == truth.remote)
                let id = try #require(added)
                #expect(truth.replica.contains { $0.id == id })
                let status = try #require(DaemonStatus.read(from: paths.statusFile))
                #expect(status.accounts.map(\.name) == ["work"])
                #expect(status.accounts.first?.lastSuccess != nil)
                #expect(status.accounts.first?.replica == replicaPath)
                #expect(try Self.mode(of: paths.statusFile.path) == 0o600)
                #expect(try Self.mode(of: paths.statusFile.deletingLastPathComponent().path) == 0o700)
            }
        }
    }

    @Test("reload() starts the engines again over the accounts saved since", .timeLimit(.minutes(2)))
    func reloadPicksUpAnAccountSavedSince() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 8, turns: 2) { emulator in
                let environment = Self.environment(in: folder)
                let paths = try XDGPaths(environment: environment)
                let remote = try EmulatorHarness.account(.agentflow, on: emulator)
                try Self.save(["first": remote], emulator: emulator, paths: paths)
                var configuration = AccountSupervisor.Configuration()
                configuration.sync.pullInterval = .milliseconds(200)
                let supervisor = AccountSupervisor(configuration: configuration) {
                    try SupervisedAccount.saved(environment: environment)
                }
                try await testGracefulShutdown { trigger in
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask { try await supervisor.run() }
                        let first = paths.defaultReplica(account: "first")
                        try await Self.waitUntil("'first' syncs") { try await Self.held(first) > 0 }
                        try Self.save(["first": remote, "second": remote], emulator: emulator, paths: paths)
                        let second = paths.defaultReplica(account: "second")
                        #expect(!FileManager.default.fileExists(atPath: second))
                        await supervisor.reload()
                        try await Self.waitUntil("'second' syncs after the reload") {
                            try await Self.held(second) == Self.held(first)
                        }
                        trigger.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                    }
                }
            }
        }
    }

    @Test("a graceful shutdown before any account is running still stops the supervisor", .timeLimit(.minutes(2)))
    func shutdownBeforeStartStops() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1) { emulator in
                let environment = Self.environment(in: folder)
                let paths = try XDGPaths(environment: environment)
                try Self.save(["work": try EmulatorHarness.account(.agentflow, on: emulator)], emulator: emulator, paths: paths)
                let supervisor = AccountSupervisor { try SupervisedAccount.saved(environment: environment) }
                try await testGracefulShutdown { trigger in
                    trigger.triggerGracefulShutdown()
                    try await supervisor.run()
                }
            }
        }
    }

    @Test("the README's supervisor block is the code the in-process test runs")
    func readmeMatchesSupervisorExample() throws {
        let readme = String(decoding: try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md")), as: UTF8.self)
        let afterHeading = try #require(readme.range(of: "### Every saved account, in-process")).upperBound
        let blockStart = try #require(readme.range(of: "```swift\n", range: afterHeading..<readme.endIndex)).upperBound
        let blockEnd = try #require(readme.range(of: "```", range: blockStart..<readme.endIndex)).lowerBound
        let setup = ["import ", "let environment = ", "let logger = ", "var configuration = ", "configuration."]
        let documented = readme[blockStart..<blockEnd].split(separator: "\n", omittingEmptySubsequences: false)
            .drop { line in line.isEmpty || setup.contains { line.hasPrefix($0) } }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }

        let source = String(decoding: try Data(contentsOf: URL(fileURLWithPath: #filePath)), as: UTF8.self)
        let start = try #require(source.range(of: "// README-SUPERVISOR-" + "BEGIN\n")).upperBound
        let end = try #require(source.range(of: "// README-SUPERVISOR-" + "END")).lowerBound
        let tested = source[start..<end].split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        #expect(!tested.isEmpty)
        #expect(documented == tested)
    }

    // MARK: - Helpers

    /// XDG folders inside `folder`, as a person's environment would name them.
    private static func environment(in folder: URL) -> [String: String] {
        [
            "HOME": folder.path,
            "XDG_CONFIG_HOME": folder.appendingPathComponent("config").path,
            "XDG_DATA_HOME": folder.appendingPathComponent("data").path,
            "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
        ]
    }

    /// Saves `accounts` and their credentials, as `convosync accounts add` does.
    private static func save(_ accounts: [String: RemoteAccount], emulator: RunningEmulator, paths: XDGPaths) throws {
        var list = AccountsFile()
        var credentials = CredentialsFile()
        for (name, account) in accounts {
            list.accounts[name] = AccountEntry(
                remote: account.baseURL.absoluteString, dialect: account.dialect, agents: account.agentIDs)
            credentials.entries[name] = StoredCredential(apiKey: emulator.emulator.configuration.apiKey)
        }
        try list.save(to: paths.accountsFile)
        try credentials.save(to: paths.credentialsFile)
    }

    /// Conversations a replica another task writes holds so far (0 before it exists).
    private static func held(_ path: String) async throws -> Int {
        guard let replica = try? readOnly(path) else { return 0 }
        defer { try? replica.close() }
        return (try? await replica.remoteConversationCount(agentID: nil, includingDeleted: true)) ?? 0
    }

    private static func title(of id: String, in path: String) async throws -> String? {
        guard let replica = try? readOnly(path) else { return nil }
        defer { try? replica.close() }
        return try? await replica.conversation(id: id)?.summary.title
    }

    private static func readOnly(_ path: String) throws -> Replica {
        var configuration = ReplicaConfiguration()
        configuration.readonly = true
        return try Replica.openExisting(at: path, configuration: configuration)
    }

    /// Polls `condition` until it holds; fails the test after `timeout`.
    private static func waitUntil(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await !condition() {
            guard ContinuousClock.now < deadline else {
                Issue.record("timed out waiting for \(what)")
                throw CancellationError()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private static func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? 0) & 0o777
    }
}
