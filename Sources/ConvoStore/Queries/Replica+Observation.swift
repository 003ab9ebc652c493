import GRDB

extension Replica {
    /// The results of `fetch`, now and after every committed change that alters them.
    ///
    /// Equal consecutive values are not repeated. A slow consumer sees the newest value,
    /// not a backlog: at most `buffering` values wait (default 1). Cancel by ending the loop.
    ///
    ///     for try await count in replica.observe({ db in try Int.fetchOne(db, sql: "SELECT count(*) FROM turn") ?? 0 }) { … }
    ///
    /// - Throws: (from the sequence) `StoreError` `.database`, or what `fetch` throws.
    public func observe<Value: Sendable & Equatable>(
        buffering: Int = 1, _ fetch: @Sendable @escaping (Database) throws -> Value
    ) -> some AsyncSequence<Value, any Error> & Sendable {
        let path = self.path
        return ValueObservation
            .tracking { db in
                do { return try fetch(db) } catch { throw StoreError.wrapping(error, path: path) }
            }
            .removeDuplicates()
            .values(in: pool, bufferingPolicy: .bufferingNewest(max(1, buffering)))
    }

    /// A conversation listing, now and after every change to it.
    ///
    ///     for try await page in replica.observeConversations(ConversationQuery(limit: 20)) { render(page) }
    ///
    /// - Throws: (from the sequence) `StoreError` `.invalidQuery` for a bad limit or cursor, `.database`.
    public func observeConversations(_ query: ConversationQuery) -> some AsyncSequence<ConversationPage, any Error> & Sendable {
        let rowCount = rowCount
        return observe { db in try ConversationQueries.page(query, rowCount: rowCount, db) }
    }

    /// One conversation with its turns, now and after every change to it (`nil` while absent).
    public func observeConversation(id: String, includeDeleted: Bool = false) -> some AsyncSequence<ConversationDetail?, any Error> & Sendable {
        observe { db in try ConversationQueries.detail(remoteID: id, includeDeleted: includeDeleted, db) }
    }
}
