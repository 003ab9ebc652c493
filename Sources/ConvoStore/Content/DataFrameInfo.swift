import ConvoModel

/// A data frame as the remote lists it: what ``Replica/recordDataFrames(_:conversationID:)`` writes.
///
/// When `samples` holds every row (`samples.count == rowCount`), the samples are the whole
/// frame and are recorded as its cached rows; otherwise they are not kept.
///
///     let info = DataFrameInfo(name: "report", columns: ["account", "amount"], rowCount: 2,
///                              samples: [[.string("Acme"), .int(1000)], [.string("Hooli"), .int(20)]])
public struct DataFrameInfo: Sendable, Hashable {
    /// The frame's name, unique within its conversation.
    public var name: String
    /// Column names, in order.
    public var columns: [String]
    /// The number of rows in the whole frame.
    public var rowCount: Int
    /// The first rows, each in column order (possibly none).
    public var samples: [[JSONValue]]

    /// Makes a data frame description.
    public init(name: String, columns: [String], rowCount: Int, samples: [[JSONValue]] = []) {
        self.name = name
        self.columns = columns
        self.rowCount = rowCount
        self.samples = samples
    }
}
