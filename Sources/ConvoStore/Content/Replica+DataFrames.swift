import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// The most rows one ``dataFrameSlice(name:conversationID:offset:limit:columns:orderBy:descending:)`` returns.
    public static let maximumSliceRows = 1000

    // MARK: Writes

    /// Records the data frames the remote lists for a conversation, upserting by name, in one
    /// transaction; the conversation's frames not in `frames` are removed.
    ///
    /// Samples are kept only when they are the whole frame (as many well-formed rows as
    /// `rowCount`): then they become the frame's cached rows, so small frames work offline
    /// from the listing alone. A frame whose columns or row count changed loses cached rows
    /// that no longer fit. A name listed twice keeps its last entry.
    ///
    ///     try await replica.recordDataFrames(summaries, conversationID: "conv_1")
    ///
    /// - Returns: the conversation's data frames after the write, by name.
    /// - Throws: `StoreError` `.invalidArgument` (an empty name or one holding NUL, a negative
    ///   row count: nothing is written), `.notFound` (no such conversation, or purged), `.database`.
    @discardableResult
    public func recordDataFrames(_ frames: [DataFrameInfo], conversationID: String) async throws -> [StoredDataFrame] {
        for frame in frames {
            guard !frame.name.isEmpty, !frame.name.contains("\u{0}") else {
                throw StoreError(.invalidArgument, "a data frame's name must be non-empty text without NUL")
            }
            guard frame.rowCount >= 0 else {
                throw StoreError(.invalidArgument, "a data frame's row count must not be negative", remoteID: conversationID)
            }
        }
        let now = Timestamp.milliseconds(Date())
        return try await writing { db in
            let localID = try Self.visibleConversation(conversationID, db).id ?? -1
            let lastEntry = Dictionary(frames.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { max($0, $1) })
            for (index, frame) in frames.enumerated() where lastEntry[frame.name] == index {
                try Self.upsertFrame(frame, conversationID: localID, now: now, db)
            }
            let existing = try DataFrameRecord.filter(DataFrameRecord.Columns.conversationID == localID).fetchAll(db)
            for record in existing where lastEntry[record.name] == nil {
                try record.delete(db)
            }
            return try Self.dataFrames(localID: localID, remoteID: conversationID, db)
        }
    }

    /// Caches every row of a recorded data frame, in row order, so slices work offline.
    ///
    /// `rows` must be the whole frame, each row one scalar cell (null, boolean, number, text) per
    /// column; the frame's row count becomes `rows.count`. Pass `columns` when the remote
    /// reported columns other than those recorded.
    ///
    ///     try await replica.cacheDataFrameRows(name: "report", conversationID: "conv_1", rows: rows)
    ///
    /// - Throws: `StoreError` `.invalidArgument` (a row with another number of cells than
    ///   columns, an array or object cell: nothing is written), `.notFound` (no such
    ///   conversation or frame), `.database`.
    @discardableResult
    public func cacheDataFrameRows(
        name: String, conversationID: String, rows: [[JSONValue]], columns: [String]? = nil
    ) async throws -> StoredDataFrame {
        let now = Timestamp.milliseconds(Date())
        return try await writing { db in
            let localID = try Self.visibleConversation(conversationID, db).id ?? -1
            guard let existing = try DataFrameRecord.fetch(name: name, conversationID: localID, db) else {
                throw StoreError(.notFound, "no such data frame", remoteID: conversationID)
            }
            var updated = existing
            let names = try columns ?? existing.columnNames()
            if let columns { updated.columns = JSONText.encode(.array(columns.map(JSONValue.string))) }
            try Self.validate(rows, columnCount: names.count, conversationID: conversationID)
            updated.cachedRows = JSONText.encode(.array(rows.map(JSONValue.array)))
            updated.rowCount = Int64(rows.count)
            updated.cachedAt = now
            try updated.updateChanges(db, from: existing)
            return try updated.stored(conversationID: conversationID)
        }
    }

    // MARK: Queries

    /// The data frames of a conversation, by name. Works offline.
    ///
    /// - Throws: `StoreError` `.notFound` (no such conversation, or purged), `.database`.
    public func dataFrames(conversationID: String) async throws -> [StoredDataFrame] {
        try await reading { db in
            let localID = try Self.visibleConversation(conversationID, db).id ?? -1
            return try Self.dataFrames(localID: localID, remoteID: conversationID, db)
        }
    }

    /// A slice of a data frame's cached rows: ordered, then `offset` rows skipped, then at most
    /// `limit` rows, with only `columns` (all when `nil`, in the order given). Works offline.
    ///
    /// Ordering follows the remote's (`order_by`): ascending by `orderBy`'s cells, nulls first,
    /// then booleans, numbers and text, ties by row position; `descending` reverses the cell
    /// order (ties stay by row position). With no `orderBy`, rows are in their position order
    /// (last first when `descending`).
    ///
    ///     let slice = try await replica.dataFrameSlice(
    ///         name: "report", conversationID: "conv_1", offset: 0, limit: 10,
    ///         columns: ["account", "amount"], orderBy: "amount", descending: true)
    ///
    /// - Returns: the slice, or `nil` when the frame's rows are not cached.
    /// - Throws: `StoreError` `.invalidQuery` (a negative offset, a limit outside
    ///   1…``maximumSliceRows``, no columns, a column or `orderBy` the frame does not have),
    ///   `.notFound` (no such conversation or frame), `.database`.
    public func dataFrameSlice(
        name: String, conversationID: String, offset: Int = 0, limit: Int = 100, columns: [String]? = nil,
        orderBy: String? = nil, descending: Bool = false
    ) async throws -> StoredDataFrameSlice? {
        guard offset >= 0 else { throw StoreError(.invalidQuery, "a slice's offset must not be negative") }
        guard (1...Self.maximumSliceRows).contains(limit) else {
            throw StoreError(.invalidQuery, "a slice's limit must be within 1…\(Self.maximumSliceRows)")
        }
        let record = try await reading { db -> DataFrameRecord in
            let localID = try Self.visibleConversation(conversationID, db).id ?? -1
            guard let record = try DataFrameRecord.fetch(name: name, conversationID: localID, db) else {
                throw StoreError(.notFound, "no such data frame", remoteID: conversationID)
            }
            return record
        }
        let frameColumns = try record.columnNames()
        let selected = try Self.columnIndexes(columns, of: frameColumns)
        var sortColumn: Int?
        if let orderBy {
            guard let index = frameColumns.firstIndex(of: orderBy) else {
                throw StoreError(.invalidQuery, "the data frame has no column to order by with this name")
            }
            sortColumn = index
        }
        guard let rows = try record.rows() else { return nil }
        var order: [Int]
        if let sortColumn {
            order = DataFrameOrdering.order(rows, byColumn: sortColumn, descending: descending)
        } else {
            order = Array(rows.indices)
            if descending { order.reverse() }
        }
        let picked = order.dropFirst(offset).prefix(limit).map { position in
            selected.map { rows[position].indices.contains($0) ? rows[position][$0] : JSONValue.null }
        }
        return StoredDataFrameSlice(
            name: name, columns: selected.map { frameColumns[$0] }, rows: Array(picked), rowCount: rows.count,
            offset: offset, cachedAt: record.cachedAt.map { Timestamp.date(milliseconds: $0) })
    }

    // MARK: Helpers

    private static func upsertFrame(_ frame: DataFrameInfo, conversationID: Int64, now: Int64, _ db: Database) throws {
        let columns = JSONText.encode(.array(frame.columns.map(JSONValue.string)))
        let complete = frame.samples.count == frame.rowCount
            && (try? validate(frame.samples, columnCount: frame.columns.count, conversationID: nil)) != nil
        let sampleRows = complete ? JSONText.encode(.array(frame.samples.map(JSONValue.array))) : nil
        guard let existing = try DataFrameRecord.fetch(name: frame.name, conversationID: conversationID, db) else {
            var record = DataFrameRecord(
                id: nil, conversationID: conversationID, name: frame.name, columns: columns,
                rowCount: Int64(frame.rowCount), cachedRows: sampleRows, cachedAt: sampleRows == nil ? nil : now)
            try record.insert(db)
            return
        }
        var updated = existing
        updated.columns = columns
        updated.rowCount = Int64(frame.rowCount)
        if let sampleRows {
            if existing.cachedRows != sampleRows {
                updated.cachedRows = sampleRows
                updated.cachedAt = now
            }
        } else if existing.columns != columns || existing.rowCount != Int64(frame.rowCount) {
            updated.cachedRows = nil
            updated.cachedAt = nil
        }
        try updated.updateChanges(db, from: existing)
    }

    private static func dataFrames(localID: Int64, remoteID: String, _ db: Database) throws -> [StoredDataFrame] {
        try DataFrameRecord.filter(DataFrameRecord.Columns.conversationID == localID)
            .order(DataFrameRecord.Columns.name).fetchAll(db)
            .map { try $0.stored(conversationID: remoteID) }
    }

    /// Rows must have one scalar cell per column.
    private static func validate(_ rows: [[JSONValue]], columnCount: Int, conversationID: String?) throws {
        for row in rows {
            guard row.count == columnCount else {
                throw StoreError(
                    .invalidArgument, "a data frame row must have one cell per column", remoteID: conversationID)
            }
            for cell in row {
                switch cell {
                case .array, .object:
                    throw StoreError(
                        .invalidArgument, "a data frame cell must be null, a boolean, a number or text",
                        remoteID: conversationID)
                default: continue
                }
            }
        }
    }

    /// The positions of the selected columns; all of them for `nil`.
    private static func columnIndexes(_ columns: [String]?, of frameColumns: [String]) throws -> [Int] {
        guard let columns else { return Array(frameColumns.indices) }
        guard !columns.isEmpty else { throw StoreError(.invalidQuery, "a slice needs at least one column") }
        return try columns.map { column in
            guard let index = frameColumns.firstIndex(of: column) else {
                throw StoreError(.invalidQuery, "the data frame has no column with this name")
            }
            return index
        }
    }
}
