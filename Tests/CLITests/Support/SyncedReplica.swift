import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing

/// A replica synced by `convosync sync` from an in-process emulator, with what a following
/// command needs: its path, the account flags and the environment holding the credential.
struct SyncedReplica {
    let emulator: RunningEmulator
    let setup: SyncSetup
    let dialect: Dialect
    /// The replica file.
    let db: String
    /// `--db FILE --remote URL --dialect D [--agent ID…]`.
    let accountArguments: [String]
    /// The child's environment, credential included.
    let environment: [String: String]

    /// Runs `convosync command… <account flags> arguments…`.
    func run(_ command: [String], _ arguments: [String] = [], input: Data? = nil) async throws -> Convosync.Result {
        try await Convosync.run(command + accountArguments + arguments, input: input, environment: environment)
    }

    /// The emulator's truth as the dialect shows it.
    func truth() async throws -> [ExpectedConversation] {
        ExpectedConversation.fromTruth(try await EmulatorHarness.truth(emulator), dialect: dialect)
    }

    /// Reads the replica in the test process.
    func withReplica<T>(_ body: (Replica) async throws -> T) async throws -> T {
        let replica = try Replica.openExisting(at: db)
        do {
            let result = try await body(replica)
            try replica.close()
            return result
        } catch {
            try? replica.close()
            throw error
        }
    }

    /// Syncs a new replica in `folder` from a small seeded emulator and runs `body` with it.
    static func with(
        _ dialect: Dialect, in folder: URL, conversations: Int = 6, admin: Bool = false,
        _ body: (SyncedReplica) async throws -> Void
    ) async throws {
        try await EmulatorHarness.withSeededEmulator(
            conversations: conversations, turns: 2, configure: { $0.adminEnabled = admin }
        ) { emulator in
            let setup = SyncSetup(folder: folder)
            let db = folder.appendingPathComponent("replica.convosync").path
            let synced = SyncedReplica(
                emulator: emulator, setup: setup, dialect: dialect, db: db,
                accountArguments: ["--db", db] + (try SyncSetup.accountArguments(dialect, on: emulator)),
                environment: setup.environment(dialect, on: emulator))
            let sync = try await synced.run(["sync"])
            try #require(sync.status == 0, "\(sync.standardError)")
            try await body(synced)
        }
    }

    /// A JSON document a command printed.
    static func document(_ result: Convosync.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: result.standardOutput) as? [String: Any])
    }
}
