import GRDB

extension Replica {
    /// SQLite's own check of the replica file (`PRAGMA integrity_check`): every problem it
    /// reports, or an empty array when the file is sound.
    ///
    /// For tools and tests that ask whether a crash, a full disk or a killed process left
    /// the file intact; a sound replica is also consistent (DESIGN "Sync": every page commits
    /// with its bookkeeping).
    ///
    ///     let problems = try await replica.integrityCheck()
    ///     if !problems.isEmpty { print(problems.joined(separator: "\n")) }
    ///
    /// - Throws: `StoreError` `.database` when the check cannot run (a lock held too long).
    public func integrityCheck() async throws -> [String] {
        let lines = try await reading { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
        return lines == ["ok"] ? [] : lines
    }
}
