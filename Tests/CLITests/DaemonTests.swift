import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `convosync daemon` as a child process against the emulator, the way systemd runs it.
@Suite("convosync daemon")
struct DaemonTests {
    @Test("the daemon syncs, follows a live change, reloads on SIGHUP and stops cleanly on SIGTERM")
    func daemonLifecycle() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 10, turns: 2, configure: { $0.adminEnabled = true }) { emulator in
                let setup = SyncSetup(folder: folder)
                var environment = setup.baseEnvironment
                environment["XDG_STATE_HOME"] = folder.appendingPathComponent("state").path
                let statusFile = folder.appendingPathComponent("state/convosync/status.json")

                // One saved account, its key in the credentials file (not in the daemon's environment).
                var adding = setup.environment(.agentflow, on: emulator)
                adding["XDG_STATE_HOME"] = environment["XDG_STATE_HOME"]
                let added = try await Convosync.run(
                    ["accounts", "add", "flow"] + (try SyncSetup.accountArguments(.agentflow, on: emulator)), environment: adding)
                #expect(added.status == 0, "\(added.standardError)")

                let errorFile = folder.appendingPathComponent("daemon.log")
                _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
                let daemon = try Convosync.start(["daemon", "--interval", "1", "--log-level", "debug"], environment: environment, standardError: errorFile)
                defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

                try await waitFor("the first sync of 'flow'", log: errorFile) {
                    Self.status(statusFile)?.first { $0["name"] as? String == "flow" }?["last_success"] is String
                }
                let flowReplica = setup.dataFolder.appendingPathComponent("flow.convosync").path
                var (replica, remote) = try await comparison(flowReplica, .agentflow, emulator)
                #expect(replica == remote)

                // A change upstream reaches the replica without anyone asking.
                let target = try #require(remote.first?.id)
                let (user, _) = try await EmulatorAdmin(emulator).append(to: target, content: "Seen by the daemon?")
                try await waitFor("the daemon to pull the new message", log: errorFile) {
                    let ids = try await comparison(flowReplica, .agentflow, emulator).replica.first { $0.id == target }?.turns.map(\.id)
                    return ids?.contains(user) == true
                }

                // A second account, picked up on SIGHUP.
                var addingSecond = setup.environment(.knowrithm, on: emulator)
                addingSecond["XDG_STATE_HOME"] = environment["XDG_STATE_HOME"]
                let addedSecond = try await Convosync.run(
                    ["accounts", "add", "know"] + (try SyncSetup.accountArguments(.knowrithm, on: emulator)), environment: addingSecond)
                #expect(addedSecond.status == 0, "\(addedSecond.standardError)")
                kill(daemon.processIdentifier, SIGHUP)
                try await waitFor("the reloaded daemon to sync 'know'", log: errorFile) {
                    Self.status(statusFile)?.first { $0["name"] as? String == "know" }?["last_success"] is String
                }
                #expect(daemon.isRunning)

                kill(daemon.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(daemon)
                #expect(daemon.terminationReason == .exit)
                #expect(daemon.terminationStatus == 0, "\(String(decoding: (try? Data(contentsOf: errorFile)) ?? Data(), as: UTF8.self))")
                for name in ["flow", "know"] {
                    let file = setup.dataFolder.appendingPathComponent("\(name).convosync").path
                    let opened = try Replica.openExisting(at: file)
                    #expect(try await opened.integrityCheck() == [])
                    try opened.close()
                }
                (replica, remote) = try await comparison(setup.dataFolder.appendingPathComponent("know.convosync").path, .knowrithm, emulator)
                #expect(replica == remote)
            }
        }
    }

    @Test("with --verify-every the daemon verifies each replica and status shows the last result; without it, never")
    func scheduledVerification() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 6, turns: 2) { emulator in
                let setup = SyncSetup(folder: folder)
                var environment = setup.baseEnvironment
                environment["XDG_STATE_HOME"] = folder.appendingPathComponent("state").path
                let statusFile = folder.appendingPathComponent("state/convosync/status.json")
                var adding = setup.environment(.knowrithm, on: emulator)
                adding["XDG_STATE_HOME"] = environment["XDG_STATE_HOME"]
                let added = try await Convosync.run(
                    ["accounts", "add", "know"] + (try SyncSetup.accountArguments(.knowrithm, on: emulator)), environment: adding)
                #expect(added.status == 0, "\(added.standardError)")

                let errorFile = folder.appendingPathComponent("daemon.log")
                _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
                let daemon = try Convosync.start(
                    ["daemon", "--interval", "3600", "--verify-every", "1"], environment: environment, standardError: errorFile)
                defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
                try await waitFor("a scheduled verification", log: errorFile) {
                    let line = Self.status(statusFile)?.first { $0["name"] as? String == "know" }
                    return (line?["last_verify"] as? [String: Any])?["equal"] as? Bool == true
                }
                let status = try await Convosync.run(["status", "--json"], environment: environment)
                #expect(status.status == 0, "\(status.standardError)")
                #expect(status.output.contains("\"last_verify\":{"), "\(status.output)")
                kill(daemon.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(daemon)
                #expect(daemon.terminationStatus == 0)

                // Without the flag no verification runs.
                let plain = try Convosync.start(["daemon", "--interval", "3600"], environment: environment, standardError: errorFile)
                defer { if plain.isRunning { kill(plain.processIdentifier, SIGKILL) } }
                try await waitFor("the plain daemon's first sync", log: errorFile) {
                    let line = Self.status(statusFile)?.first { $0["name"] as? String == "know" }
                    return line != nil && line?["last_verify"] == nil && Self.pid(statusFile) == plain.processIdentifier
                }
                try await Task.sleep(for: .seconds(2))
                #expect(Self.status(statusFile)?.first?["last_verify"] == nil)
                kill(plain.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(plain)
            }
        }
    }

    @Test("with no accounts saved the daemon says how to add one and exits 78")
    func noAccounts() async throws {
        try await withTemporaryDirectory { folder in
            let result = try await Convosync.run(["daemon"], environment: SyncSetup(folder: folder).baseEnvironment)
            #expect(result.status == 78)
            #expect(result.standardError.contains("convosync accounts add"))
        }
    }

    /// The accounts of the daemon's status file, `nil` until it exists.
    /// The pid of the daemon that last wrote the status file.
    static func pid(_ file: URL) -> Int32? {
        guard let data = try? Data(contentsOf: file),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return (object["pid"] as? Int).map(Int32.init)
    }

    static func status(_ file: URL) -> [[String: Any]]? {
        guard let data = try? Data(contentsOf: file),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return nil }
        return object["accounts"] as? [[String: Any]]
    }

    private func comparison(_ path: String, _ dialect: Dialect, _ emulator: RunningEmulator) async throws
        -> (replica: [ExpectedConversation], remote: [ExpectedConversation])
    {
        var configuration = ReplicaConfiguration()
        configuration.readonly = true
        let replica = try Replica.openExisting(at: path, configuration: configuration)
        defer { try? replica.close() }
        return try await EmulatorHarness.comparison(replica, dialect: dialect, on: emulator)
    }

    /// Polls `condition` until it holds; fails (with the daemon's log) after a generous bound.
    private func waitFor(_ what: String, log: URL, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if (try? await condition()) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self)
        throw HarnessError("timed out waiting for \(what); daemon log:\n\(output.suffix(4000))")
    }
}
