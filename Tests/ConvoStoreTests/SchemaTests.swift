@testable import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Schema file")
struct SchemaTests {
    /// Set to 1 to rewrite `Schema/replica.sql` from a fresh migration.
    static let updateVariable = "CONVOSYNC_UPDATE_SCHEMA"

    @Test("Schema/replica.sql is exactly what a fresh migration produces")
    func schemaFileMatchesMigrations() async throws {
        let fresh = try await ReplicaTesting.withReplica { replica in
            try await replica.reading { db in try ReplicaSchema.dump(db) }
        }
        let file = Fixtures.repositoryRoot.appendingPathComponent("Schema/replica.sql")
        if ProcessInfo.processInfo.environment[Self.updateVariable] == "1" {
            try Data(fresh.utf8).write(to: file)
        }
        let recorded = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        let firstDifference = zip(recorded.split(separator: "\n", omittingEmptySubsequences: false),
                                  fresh.split(separator: "\n", omittingEmptySubsequences: false))
            .enumerated().first { $0.element.0 != $0.element.1 }
        #expect(
            recorded == fresh,
            """
            Schema/replica.sql differs from a fresh migration\
            \(firstDifference.map { " at line \($0.offset + 1):\n  file:      \($0.element.0)\n  migration: \($0.element.1)" } ?? " in length").
            If the migrations changed on purpose, regenerate it: \(Self.updateVariable)=1 swift test --filter SchemaTests
            """)
    }
}
