import ConvoModel
import Foundation

/// A data frame of a conversation as the replica holds it.
///
/// Its rows are cached on demand (``Replica/cacheDataFrameRows(name:conversationID:rows:)``);
/// once cached, ``Replica/dataFrameSlice(name:conversationID:offset:limit:columns:orderBy:descending:)``
/// answers slices with no network.
public struct StoredDataFrame: Sendable, Hashable, Identifiable {
    /// The frame's name, unique within its conversation.
    public var name: String
    /// The remote id of the conversation the frame belongs to.
    public var conversationID: String
    /// Column names, in order.
    public var columns: [String]
    /// The number of rows in the whole frame, as last reported or cached.
    public var rowCount: Int?
    /// Whether every row is cached, so slices work offline.
    public var rowsCached: Bool
    /// When the rows were cached.
    public var cachedAt: Date?

    /// The frame's identity within its conversation: its name.
    public var id: String { name }

    /// Makes a stored data frame; the replica's queries make these.
    public init(
        name: String, conversationID: String, columns: [String], rowCount: Int?, rowsCached: Bool, cachedAt: Date?
    ) {
        self.name = name
        self.conversationID = conversationID
        self.columns = columns
        self.rowCount = rowCount
        self.rowsCached = rowsCached
        self.cachedAt = cachedAt
    }
}

/// Rows of a cached data frame: what ``Replica/dataFrameSlice(name:conversationID:offset:limit:columns:orderBy:descending:)`` answers.
public struct StoredDataFrameSlice: Sendable, Hashable {
    /// The frame's name.
    public var name: String
    /// The columns of `rows`, in the order asked for.
    public var columns: [String]
    /// The rows, each in `columns` order.
    public var rows: [[JSONValue]]
    /// The number of rows in the whole frame.
    public var rowCount: Int
    /// The first row's position in the ordered frame, from 0.
    public var offset: Int
    /// When the rows were cached.
    public var cachedAt: Date?

    /// Makes a slice.
    public init(name: String, columns: [String], rows: [[JSONValue]], rowCount: Int, offset: Int, cachedAt: Date?) {
        self.name = name
        self.columns = columns
        self.rows = rows
        self.rowCount = rowCount
        self.offset = offset
        self.cachedAt = cachedAt
    }
}
