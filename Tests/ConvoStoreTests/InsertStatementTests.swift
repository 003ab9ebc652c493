@testable import ConvoStore
import Foundation
import GRDB
import Testing
import TestSupport

/// The page writer's inserts bind their values straight to SQLite; these pin down that such a
/// statement writes what it is given, recovers from a failed run, refuses a wrong number of
/// values, and is seen by GRDB's change tracking like any other write.
@Suite("Directly bound inserts")
struct InsertStatementTests {
    typealias T = ReplicaTesting

    static let sql = "INSERT INTO sync_state (scope, cursor, updated_at) VALUES (?, ?, 0)"

    @Test("every kind of value is stored as bound")
    func valuesAreStoredAsBound() async throws {
        try await T.withReplica { replica in
            let stored = try await replica.writing { db in
                try db.execute(sql: "CREATE TEMP TABLE bound (a, b, c, d, e)")
                let insert = try InsertStatement(sql: "INSERT INTO bound VALUES (?, ?, ?, ?, ?)", db)
                try insert.execute([
                    DatabaseValue.null, 42.databaseValue, 2.5.databaseValue, "text".databaseValue,
                    Data([0, 1, 2]).databaseValue,
                ])
                try insert.execute([7.databaseValue, "x".databaseValue, .null, .null, .null])
                return try Row.fetchAll(db, sql: "SELECT a, b, c, d, e FROM bound ORDER BY rowid").map { Array($0.databaseValues) }
            }
            #expect(stored == [
                [.null, 42.databaseValue, 2.5.databaseValue, "text".databaseValue, Data([0, 1, 2]).databaseValue],
                [7.databaseValue, "x".databaseValue, .null, .null, .null],
            ])
        }
    }

    @Test("after a run that broke a constraint, the same statement runs again with new values")
    func runsAgainAfterAFailure() async throws {
        try await T.withReplica { replica in
            let scopes = try await replica.writing { db in
                let insert = try InsertStatement(sql: Self.sql, db)
                try insert.execute(["a".databaseValue, "1".databaseValue])
                #expect(throws: DatabaseError.self) { try insert.execute(["a".databaseValue, "2".databaseValue]) }
                try insert.execute(["b".databaseValue, "3".databaseValue])
                return try Row.fetchAll(db, sql: "SELECT scope, cursor FROM sync_state WHERE scope IN ('a', 'b') ORDER BY scope")
                    .map { [$0[0] as String, $0[1] as String] }
            }
            #expect(scopes == [["a", "1"], ["b", "3"]])
        }
    }

    @Test("a wrong number of values is refused before anything is bound or written")
    func wrongValueCountIsRefused() async throws {
        try await T.withReplica { replica in
            let count = try await replica.writing { db in
                let insert = try InsertStatement(sql: Self.sql, db)
                #expect(throws: StoreError.self) { try insert.execute(["a".databaseValue]) }
                #expect(throws: StoreError.self) {
                    try insert.execute(["a".databaseValue, "1".databaseValue, "extra".databaseValue])
                }
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM sync_state WHERE scope = 'a'") ?? -1
            }
            #expect(count == 0)
        }
    }

    @Test("GRDB's change tracking counts the rows a bound insert writes")
    func changesAreTracked() async throws {
        try await T.withReplica { replica in
            let (changes, total) = try await replica.writing { db in
                let before = db.totalChangesCount
                let insert = try InsertStatement(sql: "INSERT INTO sync_state (scope, cursor, updated_at) VALUES (?, ?, 0), (?, ?, 0)", db)
                try insert.execute(["a".databaseValue, .null, "b".databaseValue, .null])
                return (db.changesCount, db.totalChangesCount - before)
            }
            #expect(changes == 2)
            #expect(total == 2)
        }
    }
}
