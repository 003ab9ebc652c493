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
}
