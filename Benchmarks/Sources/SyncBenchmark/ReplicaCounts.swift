import CSQLite

/// Row counts read straight from a replica file (read-only, beside the writer, WAL): what a
/// sync stored, for rates per fragment, and the ids to change in the second-sync benchmark.
struct ReplicaCounts {
    private var db: OpaquePointer?

    init(path: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            sqlite3_close(db)
            throw BenchmarkFailure("cannot open the replica read-only")
        }
    }

    func close() { sqlite3_close(db) }

    /// The number in the first column of the first row of `sql`.
    func count(_ sql: String) throws -> Int {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BenchmarkFailure("SQLite: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw BenchmarkFailure("no row for a count") }
        return Int(sqlite3_column_int64(statement, 0))
    }

    /// The remote ids of the conversations that are neither soft-deleted nor purged, in id order.
    func liveRemoteIDs() throws -> [String] {
        var statement: OpaquePointer?
        let sql = "SELECT remote_id FROM conversation WHERE remote_id IS NOT NULL AND deleted_at IS NULL AND purged_at IS NULL ORDER BY remote_id"
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw BenchmarkFailure("SQLite: \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        var ids: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            if let text = sqlite3_column_text(statement, 0) { ids.append(String(cString: text)) }
        }
        return ids
    }
}
