import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import GRDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `convosync sync` run as a child process against an in-process emulator.
@Suite("convosync sync")
struct SyncCommandTests {
    @Test("after sync exits 0 the replica and its export equal what the remote serves", arguments: Dialect.allCases)
    func syncThenExportEqualsRemote(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 30, turns: 3) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("replica.convosync").path
                let sync = try await Convosync.run(
                    ["sync", "--db", db] + SyncSetup.accountArguments(dialect, on: emulator),
                    environment: setup.environment(dialect, on: emulator))
                #expect(sync.status == 0, "\(sync.standardError)")
                #expect(sync.output.hasPrefix("In step with"))
                // Not a terminal: progress comes as plain lines, with no escape sequences.
                #expect(sync.standardError.contains("convosync: syncing"))
                #expect(!sync.standardError.contains("\u{1B}"))

                let replica = try Replica.openExisting(at: db)
                // v2's tenant is read from its base URL and bound with the replica.
                #expect(replica.account?.tenant == (dialect == .v2 ? emulator.addresses.tenant : nil))
                #expect(replica.account?.dialect == dialect)
                let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: dialect, on: emulator)
                try replica.close()
                #expect(remote.count >= 25)
                #expect(local == remote)

                let export = try await Convosync.run(["export", "--db", db])
                #expect(export.status == 0)
                #expect(try SyncSetup.exportedIDs(export.output) == remote.map(\.id))
            }
        }
    }

    @Test("--json prints one summary document; a second sync reads nothing")
    func jsonSummary() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2) { emulator in
                let setup = SyncSetup(folder: folder)
                let arguments = ["sync", "--json", "--db", folder.appendingPathComponent("r.convosync").path]
                    + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let first = try await Convosync.run(arguments, environment: setup.environment(.agentflow, on: emulator))
                #expect(first.status == 0, "\(first.standardError)")
                let summary = try #require(try JSONSerialization.jsonObject(with: first.standardOutput) as? [String: Any])
                let replica = try Replica.openExisting(at: folder.appendingPathComponent("r.convosync").path)
                let (_, remote) = try await EmulatorHarness.comparison(replica, dialect: .agentflow, on: emulator)
                try replica.close()
                #expect(summary["listed"] as? Int == remote.count)
                #expect(summary["deletions_checked"] as? Bool == true)
                #expect(summary["dialect"] as? String == "agentflow")

                let second = try await Convosync.run(arguments, environment: setup.environment(.agentflow, on: emulator))
                let again = try #require(try JSONSerialization.jsonObject(with: second.standardOutput) as? [String: Any])
                #expect(again["read"] as? Int == 0)
            }
        }
    }

    @Test("--account takes the remote, dialect, agents and replica from the config file in XDG_CONFIG_HOME")
    func accountFromConfigFile() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 10, turns: 2) { emulator in
                let setup = SyncSetup(folder: folder)
                try FileManager.default.createDirectory(at: setup.configFolder, withIntermediateDirectories: true)
                let accounts: [String: Any] = [
                    "accounts": [
                        "work": [
                            "remote": emulator.baseURL(.turns), "dialect": "turns", "agents": emulator.addresses.agentIDs,
                        ]
                    ]
                ]
                try JSONSerialization.data(withJSONObject: accounts)
                    .write(to: setup.configFolder.appendingPathComponent("accounts.json"))

                // No credential is stored for 'work': the environment's applies only on request.
                let sync = try await Convosync.run(
                    ["sync", "--account", "work", "--credential-from-env"], environment: setup.environment(.turns, on: emulator))
                #expect(sync.status == 0, "\(sync.standardError)")
                #expect(sync.output.contains("account 'work'"))
                let db = setup.dataFolder.appendingPathComponent("work.convosync").path
                let replica = try Replica.openExisting(at: db)
                let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: .turns, on: emulator)
                try replica.close()
                #expect(local == remote)
                let mode = try FileManager.default.attributesOfItem(atPath: setup.dataFolder.path)[.posixPermissions] as? Int
                #expect(mode == 0o700)

                let unknown = try await Convosync.run(["sync", "--account", "home"], environment: setup.environment(.turns, on: emulator))
                #expect(unknown.status == 78)
                #expect(unknown.standardError.contains("no account 'home'"))
            }
        }
    }

    @Test("missing credentials end with 78, one sentence, and no replica file")
    func missingCredentials() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                for dialect in [Dialect.agentflow, .knowrithm] {
                    var environment = setup.baseEnvironment
                    if dialect == .knowrithm { environment["CONVOSYNC_API_KEY"] = emulator.emulator.configuration.apiKey }
                    let result = try await Convosync.run(
                        ["sync", "--db", db] + SyncSetup.accountArguments(dialect, on: emulator), environment: environment)
                    #expect(result.status == 78)
                    #expect(result.standardError.contains(dialect == .knowrithm ? "CONVOSYNC_API_SECRET" : "CONVOSYNC_API_KEY"))
                    #expect(result.standardError.split(separator: "\n").count == 1)
                    #expect(!FileManager.default.fileExists(atPath: db))
                }
            }
        }
    }

    @Test("a refused key ends with 77, never shows the key, and leaves no replica file behind")
    func wrongKey() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                var environment = setup.baseEnvironment
                environment["CONVOSYNC_API_KEY"] = "wrong-key-5f3a9"
                let result = try await Convosync.run(
                    ["sync", "--db", db] + SyncSetup.accountArguments(.agentflow, on: emulator), environment: environment)
                #expect(result.status == 77)
                #expect(result.standardError.contains("401"))
                #expect(!result.standardError.contains("wrong-key-5f3a9"))
                #expect(!result.output.contains("wrong-key-5f3a9"))
                #expect(!FileManager.default.fileExists(atPath: db))
            }
        }
    }

    @Test("a TLS handshake failure ends with 77 and says so, not 'cannot be reached', without the key")
    func tlsFailure() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                // https to the emulator's plain-http loopback port: the handshake cannot succeed.
                let plain = emulator.baseURL(.agentflow)
                #expect(plain.hasPrefix("http://"))
                let tls = "https://" + plain.dropFirst("http://".count)
                let db = folder.appendingPathComponent("r.convosync").path
                let result = try await Convosync.run(
                    ["sync", "--db", db, "--remote", tls, "--dialect", "agentflow"],
                    environment: setup.environment(.agentflow, on: emulator))
                #expect(result.status == 77, "\(result.standardError)")
                #expect(result.standardError.contains("TLS handshake with 127.0.0.1 failed"))
                #expect(!result.standardError.contains("Cannot reach"))
                #expect(!result.standardError.contains(emulator.emulator.configuration.apiKey))
                #expect(result.standardError.split(separator: "\n").count == 1)
            }
        }
    }

    @Test("an unreachable remote ends with 69 and one sentence")
    func unreachable() async throws {
        try await withTemporaryDirectory { folder in
            let setup = SyncSetup(folder: folder)
            var environment = setup.baseEnvironment
            environment["CONVOSYNC_API_KEY"] = "dev-key"
            let port = try closedPort()
            let result = try await Convosync.run(
                ["sync", "--db", folder.appendingPathComponent("r.convosync").path,
                 "--remote", "http://127.0.0.1:\(port)/agentflow/v1", "--dialect", "agentflow"],
                environment: environment)
            #expect(result.status == 69)
            #expect(result.standardError.contains("Cannot reach the remote"))
            #expect(result.standardError.split(separator: "\n").count == 1)
        }
    }

    @Test("a URL that does not serve the dialect, a v2 URL without a tenant and a non-http URL end with 78")
    func wrongRemote() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                let cases: [(remote: String, dialect: String, says: String)] = [
                    (emulator.baseURL(.turns), "agentflow", "does not serve"),
                    (emulator.addresses.origin + "/v2/api/v2", "v2", "/tenants/TENANT/api/v2"),
                    ("ftp://user:pa55word@example.com/v1", "agentflow", "not an http or https URL"),
                    ("https://user:pa55word@example.com/v1", "agentflow", "must not hold credentials"),
                ]
                for item in cases {
                    let result = try await Convosync.run(
                        ["sync", "--db", db, "--remote", item.remote, "--dialect", item.dialect],
                        environment: setup.environment(.agentflow, on: emulator))
                    #expect(result.status == 78, "\(item.remote): \(result.standardError)")
                    #expect(result.standardError.contains(item.says), "\(result.standardError)")
                    #expect(!result.standardError.contains("pa55word"))
                    #expect(!FileManager.default.fileExists(atPath: db))
                }
            }
        }
    }

    @Test("a credentials file others can read is refused with 78 and not used")
    func worldReadableCredentialsFile() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let file = folder.appendingPathComponent("credentials.json")
                try Data(#"{"default": {"api_key": "dev-key"}}"#.utf8).write(to: file)
                let arguments = ["sync", "--db", folder.appendingPathComponent("r.convosync").path, "--credentials-file", file.path]
                    + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                for mode in [0o644, 0o640, 0o604] {
                    try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: file.path)
                    let refused = try await Convosync.run(arguments, environment: setup.baseEnvironment)
                    #expect(refused.status == 78)
                    #expect(refused.standardError.contains("chmod 600"))
                    #expect(!refused.standardError.contains("dev-key"))
                }
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
                let accepted = try await Convosync.run(arguments, environment: setup.baseEnvironment)
                #expect(accepted.status == 0, "\(accepted.standardError)")
            }
        }
    }

    @Test("a replica of another account is refused with 65 and left byte for byte as it was")
    func otherAccountsReplica() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 5, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                let first = try await Convosync.run(
                    ["sync", "--db", db] + SyncSetup.accountArguments(.agentflow, on: emulator),
                    environment: setup.environment(.agentflow, on: emulator))
                #expect(first.status == 0, "\(first.standardError)")
                let before = try Data(contentsOf: URL(fileURLWithPath: db))

                let other = try await Convosync.run(
                    ["sync", "--db", db] + SyncSetup.accountArguments(.knowrithm, on: emulator),
                    environment: setup.environment(.knowrithm, on: emulator))
                #expect(other.status == 65)
                #expect(other.standardError.contains("another account"))
                #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
            }
        }
    }

    /// A loopback port nothing listens on: bound, read, closed.
    private func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw HarnessError("socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw HarnessError("bind failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw HarnessError("getsockname failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// What `convosync sync` does when the remote slows it down or another process holds the replica.
@Suite("convosync sync under pressure")
struct SyncPressureTests {
    @Test("a remote that rate limits past the retry budget ends with 75 and one sentence")
    func rateLimited() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1, configure: { configuration in
                configuration.faults.rateLimitRate = 1
                configuration.faults.retryAfterSeconds = 1
            }) { emulator in
                let setup = SyncSetup(folder: folder)
                let result = try await Convosync.run(
                    ["sync", "--db", folder.appendingPathComponent("r.convosync").path]
                        + (try SyncSetup.accountArguments(.agentflow, on: emulator)),
                    environment: setup.environment(.agentflow, on: emulator))
                #expect(result.status == 75)
                #expect(result.standardError.contains("rate limiting"))
                #expect(result.standardError.split(separator: "\n").count == 1)
            }
        }
    }

    @Test("a disk that fills during a sync ends with 74 and one sentence; with space again the next sync converges")
    func fullDisk() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 150, turns: 4) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                let arguments = ["sync", "--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let environment = setup.environment(.agentflow, on: emulator)
                let full = try await Convosync.run(arguments, environment: environment, fileSizeLimit: 600)
                #expect(full.status == 74, "\(full.standardError)")
                #expect(full.standardError.contains("free space"))
                #expect(full.standardError.split(separator: "\n").filter { !$0.contains("syncing") }.count == 1)
                if FileManager.default.fileExists(atPath: db) {
                    let replica = try Replica.openExisting(at: db)
                    #expect(try await replica.integrityCheck() == [])
                    try replica.close()
                }

                let after = try await Convosync.run(arguments, environment: environment)
                #expect(after.status == 0, "\(after.standardError)")
                let replica = try Replica.openExisting(at: db)
                let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: .agentflow, on: emulator)
                try replica.close()
                #expect(local == remote)
            }
        }
    }

    @Test("a replica whose write lock another process holds ends with 75, and a later sync succeeds")
    func lockedReplica() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 1, configure: { $0.adminEnabled = true }) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                let arguments = ["sync", "--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let environment = setup.environment(.agentflow, on: emulator)
                let first = try await Convosync.run(arguments, environment: environment)
                #expect(first.status == 0, "\(first.standardError)")
                let agent = try #require(emulator.addresses.agentIDs.first)
                try await EmulatorAdmin(emulator).createConversation(agentID: agent, title: "Written while locked")

                // Another program holds the replica's write lock for as long as the sync runs.
                let errorFile = folder.appendingPathComponent("stderr.txt")
                _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
                let other = try DatabaseQueue(path: db)
                let status = try await other.writeWithoutTransaction { db -> Int32 in
                    try db.execute(sql: "BEGIN IMMEDIATE")
                    defer { try? db.execute(sql: "ROLLBACK") }
                    let process = try Convosync.start(arguments, environment: environment, standardError: errorFile)
                    process.waitUntilExit()  // on GRDB's queue, not a task's thread
                    return process.terminationStatus
                }
                try other.close()
                let message = try String(contentsOf: errorFile, encoding: .utf8)
                #expect(status == 75, "\(message)")
                #expect(message.contains("locked by another process"))

                let after = try await Convosync.run(arguments, environment: environment)
                #expect(after.status == 0, "\(after.standardError)")
                let replica = try Replica.openExisting(at: db)
                let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: .agentflow, on: emulator)
                try replica.close()
                #expect(local == remote)
            }
        }
    }
}
