import GRDB
import Synchronization

/// The number of conversation rows, remembered per reading connection until another
/// connection commits. Counting reads every entry of an index (0.37 ms for 50,000
/// conversations here, ten times that for half a million), and a listing asks on every page;
/// a count kept by triggers would cost every inserted conversation instead.
///
/// SQLite's `data_version` changes, for a connection, when another connection committed
/// since it last looked, so a count taken at one version holds at that version. A connection
/// that writes does not see its own commits there, so only read-only connections (the pool's
/// readers, and every connection of a read-only replica) use what is remembered.
final class ConversationRowCount: Sendable {
    private struct Counted {
        var dataVersion: Int64
        var rows: Int
    }

    /// Keyed by ``connectionFunction``'s serial: one entry per connection of the pool.
    private let counted = Mutex<[Int64: Counted]>([:])

    /// The SQL function every replica connection answers with a serial of its own
    /// (``register(_:)``): the key of what a connection counted, which no later connection reuses.
    static let connectionFunction = "convosync_connection"
    private static let serials = Atomic<Int64>(0)

    /// Gives `db` its serial; called as each connection opens.
    static func register(_ db: Database) {
        let serial = serials.add(1, ordering: .relaxed).newValue
        db.add(function: DatabaseFunction(connectionFunction, argumentCount: 0, pure: true) { _ in serial })
    }

    /// The conversation rows `db` sees, tombstones included.
    func rows(_ db: Database) throws -> Int {
        guard db.configuration.readonly,
              let seen = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT \(Self.connectionFunction)() AS connection, data_version FROM pragma_data_version"))
        else { return try Self.count(db) }
        let connection: Int64 = seen["connection"]
        let version: Int64 = seen["data_version"]
        if let known = counted.withLock({ $0[connection] }), known.dataVersion == version { return known.rows }
        let rows = try Self.count(db)
        counted.withLock { $0[connection] = Counted(dataVersion: version, rows: rows) }
        return rows
    }

    private static func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM conversation")) ?? 0
    }
}
