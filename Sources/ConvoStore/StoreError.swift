import Foundation
import GRDB

/// The one error `ConvoStore` throws: a matchable ``code`` plus the context a caller acts on.
///
/// Descriptions name the replica path, the remote id or the line concerned, never
/// bound SQL values, credentials or imported text.
///
///     do { _ = try Replica.openExisting(at: path) }
///     catch let error as StoreError where error.code == .noSuchReplica { … }
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, stable enough to match on. New codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case noSuchReplica, notAReplica, newerSchema, accountMismatch, invalidQuery
            case invalidImportLine, invalidArgument, notFound, readonly, database
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// No file exists at the path given to ``Replica/openExisting(at:configuration:)``.
        public static let noSuchReplica = Code(.noSuchReplica)
        /// The file is not SQLite, or is SQLite but not a ConvoSync replica. It was left untouched.
        public static let notAReplica = Code(.notAReplica)
        /// The replica was migrated by a newer ConvoSync. It was left untouched.
        public static let newerSchema = Code(.newerSchema)
        /// The replica belongs to another account (base URL, tenant or dialect). It was left untouched.
        public static let accountMismatch = Code(.accountMismatch)
        /// A query, cursor or search text that cannot be run; ``StoreError/message`` says why.
        public static let invalidQuery = Code(.invalidQuery)
        /// A JSONL line that cannot be imported; ``StoreError/line`` names it.
        public static let invalidImportLine = Code(.invalidImportLine)
        /// An argument outside what the replica accepts (an empty remote id, a negative limit…).
        public static let invalidArgument = Code(.invalidArgument)
        /// The conversation or turn named by a remote id is not in the replica.
        public static let notFound = Code(.notFound)
        /// A write was attempted on a replica opened read-only.
        public static let readonly = Code(.readonly)
        /// SQLite failed (I/O, a full disk, a lock held past the busy timeout…).
        public static let database = Code(.database)

        /// The code's name, e.g. `notAReplica`.
        public var description: String { value.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A short human explanation, free of credentials and of user content.
    public let message: String
    /// The replica file concerned, when known.
    public var path: String?
    /// The remote id of the conversation or turn concerned, when there is one.
    public var remoteID: String?
    /// The 1-based line of an import, for ``Code/invalidImportLine``.
    public var line: Int?
    /// SQLite's primary result code, for ``Code/database``.
    public var sqliteCode: Int32?

    /// Makes an error; the `message` must not contain user content or credentials.
    public init(
        _ code: Code, _ message: String, path: String? = nil, remoteID: String? = nil, line: Int? = nil,
        sqliteCode: Int32? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.remoteID = remoteID
        self.line = line
        self.sqliteCode = sqliteCode
    }

    /// Code, message and context; never bound SQL values, credentials or imported text.
    public var description: String {
        var text = "StoreError.\(code): \(message)"
        if let line { text += " (line \(line))" }
        if let remoteID { text += " (id \(remoteID))" }
        if let path { text += " (replica \(path))" }
        if let sqliteCode { text += " (SQLite code \(sqliteCode))" }
        return text
    }
}

extension StoreError {
    /// Wraps any error thrown while talking to SQLite into a `StoreError`, keeping only
    /// the result code (GRDB's own description may quote SQL).
    /// Whether SQLite refused a write for breaking a constraint (a unique key, a check).
    var isConstraintViolation: Bool {
        code == .database && sqliteCode == ResultCode.SQLITE_CONSTRAINT.rawValue
    }

    static func wrapping(_ error: any Error, path: String?) -> StoreError {
        if let error = error as? StoreError { return error }
        if let error = error as? DatabaseError {
            let primary = error.resultCode.primaryResultCode
            if primary == .SQLITE_READONLY {
                return StoreError(.readonly, "the replica is open read-only", path: path, sqliteCode: primary.rawValue)
            }
            if primary == .SQLITE_NOTADB {
                return StoreError(.notAReplica, "the file is not an SQLite database", path: path,
                                  sqliteCode: primary.rawValue)
            }
            return StoreError(.database, "SQLite failed: \(primary)", path: path, sqliteCode: primary.rawValue)
        }
        if error is CancellationError { return StoreError(.database, "the operation was cancelled", path: path) }
        return StoreError(.database, "the database operation failed: \(type(of: error))", path: path)
    }
}
