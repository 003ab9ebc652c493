import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing
import TestSupport

/// `convosync accounts add/list/remove` with XDG folders in a temp folder.
@Suite("convosync accounts")
struct AccountsCommandTests {
    @Test("add, list, sync with and remove an account: the key comes from the environment and is never echoed")
    func roundTrip() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 6, turns: 2) { emulator in
                let setup = SyncSetup(folder: folder)
                let secret = emulator.emulator.configuration.apiSecret
                let key = emulator.emulator.configuration.apiKey
                let add = try await Convosync.run(
                    ["accounts", "add", "kr", "--remote", emulator.baseURL(.knowrithm), "--dialect", "knowrithm"],
                    environment: setup.environment(.knowrithm, on: emulator))
                #expect(add.status == 0, "\(add.standardError)")
                #expect(add.output.contains("Added account 'kr'"))

                let credentials = setup.configFolder.appendingPathComponent("credentials.json")
                let attributes = try FileManager.default.attributesOfItem(atPath: credentials.path)
                #expect(attributes[.posixPermissions] as? Int == 0o600)
                let stored = try JSONSerialization.jsonObject(with: Data(contentsOf: credentials)) as? [String: [String: String]]
                #expect(stored?["kr"]?["api_key"] == key)
                #expect(stored?["kr"]?["api_secret"] == secret)
                let accountsText = try String(contentsOf: setup.configFolder.appendingPathComponent("accounts.json"), encoding: .utf8)
                #expect(!accountsText.contains(secret))

                // The key is not in the environment now: sync finds it in the credentials file.
                let sync = try await Convosync.run(["sync", "--account", "kr"], environment: setup.baseEnvironment)
                #expect(sync.status == 0, "\(sync.standardError)")

                // Reading commands find the account's replica by name too.
                let export = try await Convosync.run(["export", "--account", "kr"], environment: setup.baseEnvironment)
                #expect(export.status == 0, "\(export.standardError)")
                let truth = try await EmulatorHarness.truth(emulator).compactMap { $0["id"] as? String }.sorted()
                #expect(try SyncSetup.exportedIDs(export.output) == truth)
                var byEnvironment = setup.baseEnvironment
                byEnvironment["CONVOSYNC_ACCOUNT"] = "kr"
                let list = try await Convosync.run(["list", "--json"], environment: byEnvironment)
                #expect(list.status == 0, "\(list.standardError)")
                let unknown = try await Convosync.run(["search", "--account", "nope", "renewal"], environment: setup.baseEnvironment)
                #expect(unknown.status == 78)

                for arguments in [["accounts", "list"], ["accounts", "list", "--json"]] {
                    let listing = try await Convosync.run(arguments, environment: setup.baseEnvironment)
                    #expect(listing.status == 0)
                    #expect(listing.output.contains("kr"))
                    #expect(listing.output.contains("knowrithm"))
                    #expect(!listing.output.contains(secret) && !listing.output.contains(key))
                    #expect(!listing.standardError.contains(secret) && !listing.standardError.contains(key))
                }
                let json = try await Convosync.run(["accounts", "list", "--json"], environment: setup.baseEnvironment)
                let listed = try JSONSerialization.jsonObject(with: json.standardOutput) as? [String: [[String: Any]]]
                #expect(listed?["accounts"]?.first?["db"] as? String == setup.dataFolder.appendingPathComponent("kr.convosync").path)
                for output in [add.output, add.standardError, sync.output, sync.standardError] {
                    #expect(!output.contains(secret))
                }

                let again = try await Convosync.run(
                    ["accounts", "add", "kr", "--remote", emulator.baseURL(.knowrithm), "--dialect", "knowrithm"],
                    environment: setup.environment(.knowrithm, on: emulator))
                #expect(again.status == 78)
                #expect(again.standardError.contains("already exists"))

                let remove = try await Convosync.run(["accounts", "remove", "kr"], environment: setup.baseEnvironment)
                #expect(remove.status == 0, "\(remove.standardError)")
                let after = try JSONSerialization.jsonObject(with: Data(contentsOf: credentials)) as? [String: Any]
                #expect(after?["kr"] == nil)
                let empty = try await Convosync.run(["accounts", "list"], environment: setup.baseEnvironment)
                #expect(empty.output.contains("No accounts yet"))
                #expect(FileManager.default.fileExists(atPath: setup.dataFolder.appendingPathComponent("kr.convosync").path))

                let gone = try await Convosync.run(["accounts", "remove", "kr"], environment: setup.baseEnvironment)
                #expect(gone.status == 78)
                #expect(gone.standardError.contains("no account 'kr'"))
            }
        }
    }

    @Test("a secret given as a flag is refused with 64 without echoing it, and nothing is saved")
    func secretFlagRefused() async throws {
        try await withTemporaryDirectory { folder in
            let setup = SyncSetup(folder: folder)
            for flag in ["--api-key", "--token", "--api-secret"] {
                let result = try await Convosync.run(
                    ["accounts", "add", "work", "--remote", "https://api.example.com/v1", "--dialect", "agentflow", flag, "s3cr3t-value"],
                    environment: setup.baseEnvironment)
                #expect(result.status == 64)
                #expect(result.standardError.contains("never taken from flags"))
                #expect(!result.standardError.contains("s3cr3t-value"))
                #expect(!result.output.contains("s3cr3t-value"))
            }
            #expect(!FileManager.default.fileExists(atPath: setup.configFolder.path))
        }
    }

    @Test("add without a credential in the environment or a terminal ends with 78 and saves nothing")
    func addWithoutCredential() async throws {
        try await withTemporaryDirectory { folder in
            let setup = SyncSetup(folder: folder)
            let result = try await Convosync.run(
                ["accounts", "add", "work", "--remote", "https://api.example.com/v1", "--dialect", "agentflow"],
                environment: setup.baseEnvironment)
            #expect(result.status == 78)
            #expect(result.standardError.contains("CONVOSYNC_API_KEY"))
            #expect(!FileManager.default.fileExists(atPath: setup.configFolder.appendingPathComponent("accounts.json").path))
        }
    }

    @Test("a malformed account list is refused with 78 and left as it was")
    func malformedAccountList() async throws {
        try await withTemporaryDirectory { folder in
            let setup = SyncSetup(folder: folder)
            try FileManager.default.createDirectory(at: setup.configFolder, withIntermediateDirectories: true)
            let file = setup.configFolder.appendingPathComponent("accounts.json")
            try Data("{\"accounts\": [".utf8).write(to: file)
            var environment = setup.baseEnvironment
            environment["CONVOSYNC_API_KEY"] = "k"
            for arguments in [["accounts", "list"], ["sync", "--account", "work"],
                              ["accounts", "add", "x", "--remote", "https://api.example.com/v1", "--dialect", "agentflow"]] {
                let result = try await Convosync.run(arguments, environment: environment)
                #expect(result.status == 78, "\(arguments)")
                #expect(result.standardError.contains("is not valid"))
            }
            #expect(try Data(contentsOf: file) == Data("{\"accounts\": [".utf8))
        }
    }

    @Test("a relative XDG_CONFIG_HOME is ignored for the default under HOME")
    func relativeXDGIgnored() async throws {
        try await withTemporaryDirectory { folder in
            var environment = SyncSetup(folder: folder).baseEnvironment
            environment["XDG_CONFIG_HOME"] = "relative/config"
            environment["HOME"] = folder.path
            environment["CONVOSYNC_API_KEY"] = "k"
            let add = try await Convosync.run(
                ["accounts", "add", "work", "--remote", "https://api.example.com/v1", "--dialect", "agentflow"],
                environment: environment)
            #expect(add.status == 0, "\(add.standardError)")
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".config/convosync/accounts.json").path))
        }
    }
}
