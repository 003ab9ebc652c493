import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// One page of conversations matching `query`, with the total matching its filters.
    ///
    /// Works offline. Soft-deleted conversations appear only with `includeDeleted`; purged
    /// ones never do.
    ///
    ///     let page = try await replica.conversations(ConversationQuery(filters: .init(agentID: "a1"), limit: 20))
    ///
    /// - Throws: `StoreError` `.invalidQuery` (a limit outside 1…1000, a cursor not issued for
    ///   this sort), `.database`.
    public func conversations(_ query: ConversationQuery) async throws -> ConversationPage {
        let rowCount = rowCount
        return try await reading { db in try ConversationQueries.page(query, rowCount: rowCount, db) }
    }

    /// One conversation with its turns in order and their fragments; `nil` when the
    /// replica does not hold it (or it is soft-deleted and `includeDeleted` is false,
    /// or purged).
    ///
    /// - Throws: `StoreError` `.database`.
    public func conversation(id: String, includeDeleted: Bool = false) async throws -> ConversationDetail? {
        try await reading { db in try ConversationQueries.detail(remoteID: id, includeDeleted: includeDeleted, db) }
    }

    /// A page of a conversation's turns, oldest first, each with its fragments.
    ///
    ///     var page = try await replica.messages(conversationID: "c1", after: nil, limit: 100)
    ///     while let next = page.nextCursor { page = try await replica.messages(conversationID: "c1", after: next, limit: 100) }
    ///
    /// - Throws: `StoreError` `.notFound` (no such visible conversation), `.invalidQuery`
    ///   (a limit outside 1…1000, a forged cursor), `.database`.
    public func messages(
        conversationID: String, after cursor: String?, limit: Int, includeDeleted: Bool = false
    ) async throws -> TurnPage {
        try await reading { db in
            try ConversationQueries.turnPage(
                remoteID: conversationID, after: cursor, limit: limit, includeDeleted: includeDeleted, db)
        }
    }

    /// Message counts by role and the first and last message times of one conversation,
    /// computed from the replica (soft-deleted turns excluded).
    ///
    /// - Throws: `StoreError` `.notFound` (unknown or purged), `.database`.
    public func analytics(conversationID: String) async throws -> ConversationAnalytics {
        try await reading { db in
            guard let record = try ConversationRecord.fetch(remoteID: conversationID, db), record.purgedAt == nil,
                let localID = record.id
            else {
                throw StoreError(.notFound, "no such conversation", remoteID: conversationID)
            }
            var counts = Dictionary(uniqueKeysWithValues: Role.allCases.map { ($0, 0) })
            var first: Int64?
            var last: Int64?
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT role, count(*) AS n, min(timestamp) AS first, max(timestamp) AS last
                    FROM turn WHERE conversation_id = ? AND deleted_at IS NULL GROUP BY role
                    """, arguments: [localID])
            for row in rows {
                if let role = Role(rawValue: row["role"]) { counts[role] = row["n"] }
                if let value: Int64 = row["first"] { first = min(first ?? value, value) }
                if let value: Int64 = row["last"] { last = max(last ?? value, value) }
            }
            return ConversationAnalytics(
                conversationID: conversationID, total: counts.values.reduce(0, +), countsByRole: counts,
                firstMessageAt: first.map(Timestamp.date), lastMessageAt: last.map(Timestamp.date))
        }
    }

    /// The local writes still waiting for the remote, and the failed ones with the reason,
    /// in the order the engine pushes them.
    ///
    /// - Throws: `StoreError` `.database`.
    public func pendingOutbox() async throws -> [OutboxOp] {
        let folder = self.folder
        return try await reading { db in try OutboxQueries.ops(folder: folder, db) }
    }
}

/// The SQL behind the query API, as synchronous functions so that observations reuse them.
enum ConversationQueries {
    static func checkLimit(_ limit: Int) throws {
        guard (1...ConversationQuery.maximumLimit).contains(limit) else {
            throw StoreError(.invalidQuery, "the limit must be between 1 and \(ConversationQuery.maximumLimit)")
        }
    }

    /// Whether `filters` narrow the visible conversations (anything but `includeDeleted`).
    static func narrows(_ filters: ConversationFilters) -> Bool {
        filters.agentID != nil || filters.source != nil || filters.sourceRefID != nil || filters.excludeSource != nil
            || filters.updatedAfter != nil || filters.conversationID != nil
    }

    /// The WHERE clause (over alias `c`) and its arguments for `filters`.
    static func whereClause(_ filters: ConversationFilters, includeDeleted: Bool) -> (String, StatementArguments) {
        var conditions = ["c.purged_at IS NULL"]
        var arguments = StatementArguments()
        if !includeDeleted { conditions.append("c.deleted_at IS NULL") }
        if let value = filters.agentID {
            conditions.append("c.agent_id = ?")
            arguments += [value]
        }
        if let value = filters.source {
            conditions.append("c.source = ?")
            arguments += [value]
        }
        if let value = filters.sourceRefID {
            conditions.append("c.source_ref_id = ?")
            arguments += [value]
        }
        if let value = filters.excludeSource {
            conditions.append("(c.source IS NULL OR c.source <> ?)")
            arguments += [value]
        }
        if let value = filters.updatedAfter {
            // The indexed expression (`conversation_updated`); a missing time is never after.
            conditions.append("coalesce(c.updated_at, -9223372036854775808) > ?")
            arguments += [Timestamp.milliseconds(value)]
        }
        if let value = filters.conversationID {
            conditions.append("c.remote_id = ?")
            arguments += [value]
        }
        return (conditions.joined(separator: " AND "), arguments)
    }

    private struct SortSQL {
        var key: String
        var ascending: Bool
        var isText: Bool
    }

    /// The sort keys; the schema indexes these exact expressions (keep them in step).
    private static func sortSQL(_ sort: ConversationSort) -> SortSQL {
        switch sort {
        case .updatedAtDescending: SortSQL(key: "coalesce(c.updated_at, -9223372036854775808)", ascending: false, isText: false)
        case .updatedAtAscending: SortSQL(key: "coalesce(c.updated_at, -9223372036854775808)", ascending: true, isText: false)
        case .createdAtAscending: SortSQL(key: "coalesce(c.created_at, -9223372036854775808)", ascending: true, isText: false)
        case .createdAtDescending: SortSQL(key: "coalesce(c.created_at, -9223372036854775808)", ascending: false, isText: false)
        case .titleAscending: SortSQL(key: "coalesce(c.title, '') COLLATE NOCASE", ascending: true, isText: true)
        }
    }

    static let summaryColumns = """
        c.*, (SELECT count(*) FROM turn t WHERE t.conversation_id = c.id AND t.deleted_at IS NULL) AS turn_count
        """

    static func page(_ query: ConversationQuery, rowCount: ConversationRowCount, _ db: Database) throws -> ConversationPage {
        try checkLimit(query.limit)
        let sort = sortSQL(query.sort)
        let (filterSQL, filterArguments) = whereClause(query.filters, includeDeleted: query.filters.includeDeleted)
        let total = try self.total(query.filters, filterSQL: filterSQL, arguments: filterArguments, rowCount: rowCount, db)

        var sql = "SELECT \(summaryColumns), \(sort.key) AS sort_key FROM conversation c WHERE \(filterSQL)"
        var arguments = filterArguments
        if let text = query.cursor {
            let cursor = try PageCursor.decode(text, kind: query.sort.rawValue)
            let comparison = sort.ascending ? ">" : "<"
            // "key <= k AND (key < k OR id < i)", not "key < k OR (key = k AND id < i)": the
            // same rows, but SQLite only seeks into the sort index with a plain bound on the
            // key; with the OR alone it scanned the index from the start on every page.
            sql += " AND \(sort.key) \(comparison)= ? AND (\(sort.key) \(comparison) ? OR c.id \(comparison) ?)"
            let key: (any DatabaseValueConvertible)?
            if sort.isText {
                guard let text = cursor.text else {
                    throw StoreError(.invalidQuery, "the cursor is not one this replica issued for this query")
                }
                key = text
            } else {
                guard let number = cursor.number else {
                    throw StoreError(.invalidQuery, "the cursor is not one this replica issued for this query")
                }
                key = number
            }
            arguments += [key, key, cursor.id]
        }
        let direction = sort.ascending ? "ASC" : "DESC"
        sql += " ORDER BY sort_key \(direction), c.id \(direction) LIMIT ?"
        arguments += [query.limit + 1]

        // Cached: a page's SQL depends only on the sort, the filters present and the cursor's
        // presence, and compiling it (GRDB authorizes every column read) cost more than running it.
        let rows = try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments)
        var items: [ConversationSummary] = []
        var nextCursor: String?
        for (index, row) in rows.enumerated() {
            if index == query.limit {
                let last = rows[index - 1]
                let lastID: Int64 = last["id"]
                nextCursor = PageCursor(
                    kind: query.sort.rawValue, number: sort.isText ? nil : last["sort_key"] as Int64?,
                    text: sort.isText ? last["sort_key"] as String? : nil, id: lastID
                ).encoded()
                break
            }
            items.append(try summary(row))
        }
        return ConversationPage(items: items, total: total, nextCursor: nextCursor)
    }

    /// How many conversations match. Without a filter that narrows them: every row (counted
    /// once per change, see ``ConversationRowCount``), less the tombstones, counted from the
    /// tombstone index (a few); nothing is kept per written row. Else a count (the filters'
    /// indexes keep it short for the narrow ones).
    private static func total(
        _ filters: ConversationFilters, filterSQL: String, arguments: StatementArguments,
        rowCount: ConversationRowCount, _ db: Database
    ) throws -> Int {
        if !narrows(filters) {
            let all = try rowCount.rows(db)
            let hidden = try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT count(*) AS hidden, count(*) FILTER (WHERE purged_at IS NOT NULL) AS purged
                    FROM conversation WHERE deleted_at IS NOT NULL OR purged_at IS NOT NULL
                    """))
            let tombstones: Int = filters.includeDeleted ? hidden?["purged"] ?? 0 : hidden?["hidden"] ?? 0
            return all - tombstones
        }
        return try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) FROM conversation c WHERE \(filterSQL)"), arguments: arguments) ?? 0
    }

    static func summary(_ row: Row) throws -> ConversationSummary {
        let record = try ConversationRecord(row: row)
        return ConversationSummary(
            localID: record.id ?? 0, remoteID: record.remoteID, agentID: record.agentID, title: record.title,
            metadata: record.metadata.flatMap(JSONText.decode), source: record.source, sourceRefID: record.sourceRefID,
            messageCount: record.messageCount.map { Int($0) }, maxContextLength: record.maxContextLength.map { Int($0) },
            createdAt: record.createdAt.map(Timestamp.date), updatedAt: record.updatedAt.map(Timestamp.date),
            deletedAt: record.deletedAt.map(Timestamp.date), turnCount: row["turn_count"])
    }

    static func detail(remoteID: String, includeDeleted: Bool, _ db: Database) throws -> ConversationDetail? {
        try detail(where: "c.remote_id = ?", arguments: [remoteID], includeDeleted: includeDeleted, db)
    }

    /// The detail of the one conversation matching `condition` (over alias `c`).
    static func detail(
        where condition: String, arguments: StatementArguments, includeDeleted: Bool, _ db: Database
    ) throws -> ConversationDetail? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT \(summaryColumns) FROM conversation c WHERE \(condition) AND c.purged_at IS NULL",
            arguments: arguments)
        else { return nil }
        let summary = try summary(row)
        if summary.deletedAt != nil && !includeDeleted { return nil }
        let turns = try fetchTurns(
            sql: "conversation_id = ?\(includeDeleted ? "" : " AND deleted_at IS NULL")",
            arguments: [summary.localID], limit: nil, db)
        return ConversationDetail(
            summary: summary, turns: turns.map(\.turn), turnLocalIDs: turns.map { $0.record.id ?? 0 })
    }

    /// Turns matching `sql` (over table `turn`), in order, with their fragments.
    static func fetchTurns(
        sql condition: String, arguments: StatementArguments, limit: Int?, _ db: Database
    ) throws -> [(record: TurnRecord, turn: Turn)] {
        var sql = "SELECT * FROM turn WHERE \(condition) ORDER BY ordinal, id"
        var allArguments = arguments
        if let limit {
            sql += " LIMIT ?"
            allArguments += [limit]
        }
        let records = try TurnRecord.fetchAll(db, sql: sql, arguments: allArguments)
        guard !records.isEmpty else { return [] }
        let ids = records.compactMap(\.id)
        var fragments: [Int64: [Fragment]] = [:]
        // Chunk the id list: SQLite caps the number of bound arguments.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try FragmentRecord.fetchAll(
                db, sql: "SELECT * FROM fragment WHERE turn_id IN (\(placeholders)) ORDER BY turn_id, position",
                arguments: StatementArguments(chunk))
            for fragment in rows {
                fragments[fragment.turnID, default: []].append(fragment.fragment)
            }
        }
        return records.map { record in (record, record.turn(fragments: fragments[record.id ?? -1] ?? [])) }
    }

    static func turnPage(
        remoteID: String, after cursorText: String?, limit: Int, includeDeleted: Bool, _ db: Database
    ) throws -> TurnPage {
        try checkLimit(limit)
        guard let record = try ConversationRecord.fetch(remoteID: remoteID, db), let localID = record.id,
            record.purgedAt == nil, includeDeleted || record.deletedAt == nil
        else {
            throw StoreError(.notFound, "no such conversation", remoteID: remoteID)
        }
        var condition = "conversation_id = ?"
        var arguments: StatementArguments = [localID]
        if !includeDeleted { condition += " AND deleted_at IS NULL" }
        if let cursorText {
            let cursor = try PageCursor.decode(cursorText, kind: "turns")
            guard let ordinal = cursor.number else {
                throw StoreError(.invalidQuery, "the cursor is not one this replica issued for this query")
            }
            condition += " AND (ordinal > ? OR (ordinal = ? AND id > ?))"
            arguments += [ordinal, ordinal, cursor.id]
        }
        let turns = try fetchTurns(sql: condition, arguments: arguments, limit: limit + 1, db)
        var nextCursor: String?
        if turns.count > limit, let last = turns[limit - 1].record.id {
            nextCursor = PageCursor(kind: "turns", number: turns[limit - 1].record.ordinal, text: nil, id: last).encoded()
        }
        return TurnPage(turns: turns.prefix(limit).map(\.turn), nextCursor: nextCursor)
    }
}
