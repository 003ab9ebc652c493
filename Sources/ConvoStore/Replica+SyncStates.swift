import GRDB

extension Replica {
    /// Every stored sync scope (listing passes, per-conversation cursors, watches, the last
    /// success marker), ordered by scope name: what `convosync status` shows as the cursors.
    ///
    ///     for state in try await replica.syncStates() { print(state.scope, state.cursor ?? "-") }
    ///
    /// Read-only; works on a replica opened with `readonly`.
    /// - Throws: `StoreError` `.database`.
    public func syncStates() async throws -> [SyncState] {
        try await reading { db in
            try SyncStateRecord.order(Column(SyncStateRecord.CodingKeys.scope)).fetchAll(db).map(\.syncState)
        }
    }

    /// The stored states of the given scopes that were ever written, by scope, read in one
    /// snapshot: a page's conversations' own positions at once instead of a read each.
    ///
    /// - Throws: `StoreError` `.database`.
    public func syncStates(scopes: [String]) async throws -> [String: SyncState] {
        guard !scopes.isEmpty else { return [:] }
        return try await reading { db in
            var states: [String: SyncState] = [:]
            let distinct = Array(Set(scopes))
            for start in stride(from: 0, to: distinct.count, by: 900) {
                let chunk = distinct[start..<min(start + 900, distinct.count)]
                let records = try SyncStateRecord.fetchAll(
                    db,
                    sql: "SELECT * FROM sync_state WHERE scope IN (\(Array(repeating: "?", count: chunk.count).joined(separator: ",")))",
                    arguments: StatementArguments(Array(chunk)))
                for record in records { states[record.scope] = record.syncState }
            }
            return states
        }
    }
}
