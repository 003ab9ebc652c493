import GRDB
import GRDBSQLite

/// A prepared write run many times in a row, its values bound straight to SQLite.
///
/// `Statement.execute(arguments:)` builds `StatementArguments` from the values, reading each
/// one through a runtime key path, then checks them against the statement again and binds
/// them: with hundreds of values a statement, that was a tenth of a turns page's write
/// (BENCHMARKS.md). Here each `DatabaseValue` binds itself (SQLite copies strings and blobs),
/// and GRDB's `execute()` still runs the statement, so its transaction bookkeeping and
/// observation see every write as before.
struct InsertStatement {
    private let statement: Statement
    private let parameterCount: Int

    init(sql: String, _ db: Database) throws {
        statement = try db.makeStatement(sql: sql)
        parameterCount = Int(sqlite3_bind_parameter_count(statement.sqliteStatement))
        // The statement's GRDB arguments are set once, to none, so that `execute()` runs it
        // with the values bound in `execute(_:)` rather than validating arguments of its own.
        statement.setUncheckedArguments(StatementArguments())
    }

    /// Runs the statement with `values` bound to its parameters in order.
    func execute(_ values: [DatabaseValue]) throws {
        guard values.count == parameterCount else {
            throw StoreError(.database, "a write got \(values.count) values for \(parameterCount) parameters")
        }
        let handle = statement.sqliteStatement
        // Bindings can only change on a reset statement. A previous run that failed already
        // threw its error, which this reset would return again.
        sqlite3_reset(handle)
        for (index, value) in zip(CInt(1)..., values) {
            let code = value.bind(to: handle, at: index)
            guard code == SQLITE_OK else {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))),
                    sql: statement.sql)
            }
        }
        try statement.execute()
    }
}
