import Foundation
import GRDB
import Synchronization

/// The emulator's one SQLite store: tenants, credentials, agents, conversations, messages,
/// fragments, files, data frames, watch snapshots and idempotency records.
///
/// Every dialect reads and writes the same rows, so a conversation created through one
/// dialect is visible through the others. Each write is one transaction; mutating a
/// conversation bumps its `updated_at` and records a snapshot, which is then published to
/// live watchers.
///
///     let store = try EmulatorStore(path: nil)   // in memory
public final class EmulatorStore: Sendable {
    let database: DatabaseQueue
    let broadcaster: SnapshotBroadcaster
    let snapshotRetention: Int
    private let state: Mutex<State>

    private struct State {
        var random: SplitMix64
        var lastTime: Int64
    }

    /// Opens (or creates) the store.
    ///
    /// - Parameters:
    ///   - path: a database file kept across restarts, or nil for memory only.
    ///   - idSeed: seeds the ids of rows created while the server runs.
    ///   - snapshotRetention: how many snapshots per conversation are kept.
    /// - Throws: GRDB's `DatabaseError` when the file cannot be opened or migrated.
    public init(path: String?, idSeed: UInt64 = 0, snapshotRetention: Int = 50) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(5)
        if let path {
            database = try DatabaseQueue(path: path, configuration: configuration)
        } else {
            database = try DatabaseQueue(configuration: configuration)
        }
        try StoreSchema.migrator().migrate(database)
        broadcaster = SnapshotBroadcaster()
        self.snapshotRetention = max(1, snapshotRetention)
        let lastTime = try database.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(updated_at) FROM conversation") ?? 0
        }
        state = Mutex(State(random: SplitMix64(seed: idSeed ^ 0x5EED_0F_1D5), lastTime: lastTime))
    }

    /// A new id: `prefix` + 16 lowercase hex digits.
    func newID(_ prefix: String) -> String {
        state.withLock { prefix + $0.random.hex16() }
    }

    /// The current time in Unix milliseconds, strictly increasing across calls so
    /// orderings by time never tie between writes of one run.
    func now() -> Int64 {
        let wall = Int64((Date().timeIntervalSince1970 * 1000).rounded())
        return state.withLock { state in
            state.lastTime = max(wall, state.lastTime + 1)
            return state.lastTime
        }
    }

    /// Whether the store holds no tenant yet (a fresh database to seed).
    public func isEmpty() throws -> Bool {
        try database.read { db in try TenantRecord.fetchCount(db) == 0 }
    }
}
