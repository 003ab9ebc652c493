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

/// A credential belongs to its account: `CONVOSYNC_API_KEY` reaches only the remote the command
/// line names, or one account that opts in. The emulator refuses any key but its own with 401,
/// so which key arrived shows in the exit status.
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Credentials belong to their account", .serialized)
struct CredentialScopeTests {
    private static let foreignKey = "env-key-for-another-host-4c1d"

    /// Saves account `name` on the emulator's agentflow URL, storing `key` as its credential.
    private func addAccount(_ name: String, key: String, setup: SyncSetup, emulator: RunningEmulator) async throws {
        var environment = setup.baseEnvironment
        environment["CONVOSYNC_API_KEY"] = key
        let added = try await Convosync.run(
            ["accounts", "add", name] + (try SyncSetup.accountArguments(.agentflow, on: emulator)), environment: environment)
        #expect(added.status == 0, "\(added.standardError)")
    }

    @Test("sync --account uses the stored key even when CONVOSYNC_API_KEY holds another")
    func namedAccountIgnoresEnvironment() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                try await addAccount("b", key: emulator.emulator.configuration.apiKey, setup: setup, emulator: emulator)
                var environment = setup.baseEnvironment
                environment["CONVOSYNC_API_KEY"] = Self.foreignKey
                let sync = try await Convosync.run(["sync", "--account", "b"], environment: environment)
                #expect(sync.status == 0, "\(sync.standardError)")

                // CONVOSYNC_ACCOUNT names an account just as --account does.
                environment["CONVOSYNC_ACCOUNT"] = "b"
                let byEnvironment = try await Convosync.run(["sync"], environment: environment)
                #expect(byEnvironment.status == 0, "\(byEnvironment.standardError)")
            }
        }
    }

    @Test("--credential-from-env applies the environment's key to the one named account")
    func optInUsesEnvironment() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                try await addAccount("b", key: "stale-stored-key-9e2", setup: setup, emulator: emulator)
                var environment = setup.baseEnvironment
                environment["CONVOSYNC_API_KEY"] = emulator.emulator.configuration.apiKey
                // Without the opt-in the stored (stale) key is sent and refused.
                let stored = try await Convosync.run(["sync", "--account", "b"], environment: environment)
                #expect(stored.status == 77, "\(stored.standardError)")
                let optedIn = try await Convosync.run(["sync", "--account", "b", "--credential-from-env"], environment: environment)
                #expect(optedIn.status == 0, "\(optedIn.standardError)")
            }
        }
    }

    @Test("a saved account with no stored key is not given the environment's, and the message says how to opt in")
    func noStoredKeyNoFallback() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                try FileManager.default.createDirectory(at: setup.configFolder, withIntermediateDirectories: true)
                let accounts: [String: Any] = ["accounts": ["b": ["remote": emulator.baseURL(.agentflow), "dialect": "agentflow"]]]
                try JSONSerialization.data(withJSONObject: accounts).write(to: setup.configFolder.appendingPathComponent("accounts.json"))
                var environment = setup.baseEnvironment
                environment["CONVOSYNC_API_KEY"] = emulator.emulator.configuration.apiKey
                let sync = try await Convosync.run(["sync", "--account", "b"], environment: environment)
                #expect(sync.status == 78)
                #expect(sync.standardError.contains("--credential-from-env"))
                #expect(!sync.standardError.contains(emulator.emulator.configuration.apiKey))
                #expect(!FileManager.default.fileExists(atPath: setup.dataFolder.appendingPathComponent("b.convosync").path))
            }
        }
    }

    @Test("with --remote the environment's key is the one sent")
    func adHocRemoteUsesEnvironment() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("adhoc.convosync").path
                let arguments = ["sync", "--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let right = try await Convosync.run(arguments, environment: setup.environment(.agentflow, on: emulator))
                #expect(right.status == 0, "\(right.standardError)")
                var wrong = setup.baseEnvironment
                wrong["CONVOSYNC_API_KEY"] = Self.foreignKey
                let refused = try await Convosync.run(arguments, environment: wrong)
                #expect(refused.status == 77)
            }
        }
    }

    @Test("the daemon never applies CONVOSYNC_API_KEY to saved accounts; its status.json is 0600 in a repaired 0700 folder")
    func daemonUsesStoredKeysAndPrivateStatus() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                try await addAccount("flow", key: emulator.emulator.configuration.apiKey, setup: setup, emulator: emulator)
                // A state folder someone left world-readable: the daemon tightens it.
                try FileManager.default.createDirectory(
                    at: setup.stateFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
                var environment = setup.baseEnvironment
                environment["CONVOSYNC_API_KEY"] = Self.foreignKey
                let statusFile = setup.stateFolder.appendingPathComponent("status.json")
                let log = folder.appendingPathComponent("daemon.log")
                _ = FileManager.default.createFile(atPath: log.path, contents: nil)
                let daemon = try Convosync.start(["daemon", "--interval", "1"], environment: environment, standardError: log)
                defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }

                let deadline = ContinuousClock.now + .seconds(120)
                var account: [String: Any]?
                while ContinuousClock.now < deadline {
                    account = DaemonTests.status(statusFile)?.first { $0["name"] as? String == "flow" }
                    if account?["last_success"] is String || account?["last_error_code"] is String { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(account?["last_success"] is String, "\(String(decoding: (try? Data(contentsOf: log)) ?? Data(), as: UTF8.self))")
                #expect(account?["last_error_code"] as? String == nil)

                let fileMode = try FileManager.default.attributesOfItem(atPath: statusFile.path)[.posixPermissions] as? Int
                let folderMode = try FileManager.default.attributesOfItem(atPath: setup.stateFolder.path)[.posixPermissions] as? Int
                #expect(fileMode == 0o600)
                #expect(folderMode == 0o700)

                kill(daemon.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(daemon)
                #expect(daemon.terminationStatus == 0)
                let finalMode = try FileManager.default.attributesOfItem(atPath: statusFile.path)[.posixPermissions] as? Int
                #expect(finalMode == 0o600)
            }
        }
    }

    @Test("status.json in a folder the daemon creates is 0600 in 0700, with --status-file too")
    func explicitStatusFileIsPrivate() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                try await addAccount("flow", key: emulator.emulator.configuration.apiKey, setup: setup, emulator: emulator)
                let statusFile = folder.appendingPathComponent("elsewhere/deeper/status.json")
                let daemon = try Convosync.start(
                    ["daemon", "--interval", "1", "--status-file", statusFile.path], environment: setup.baseEnvironment)
                defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
                let deadline = ContinuousClock.now + .seconds(120)
                while ContinuousClock.now < deadline, DaemonTests.status(statusFile) == nil {
                    try await Task.sleep(for: .milliseconds(100))
                }
                kill(daemon.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(daemon)
                let fileMode = try FileManager.default.attributesOfItem(atPath: statusFile.path)[.posixPermissions] as? Int
                let folderMode = try FileManager.default.attributesOfItem(
                    atPath: statusFile.deletingLastPathComponent().path)[.posixPermissions] as? Int
                #expect(fileMode == 0o600)
                #expect(folderMode == 0o700)
            }
        }
    }
}
