/// What ``Replica/importJSONL(lines:batchSize:)`` did, line by line.
public struct ImportReport: Sendable, Hashable {
    /// A line that was not imported, and why. Nothing from it was written.
    public struct Rejection: Sendable, Hashable {
        /// The 1-based line number in the input.
        public var line: Int
        /// Why, naming the JSON path (e.g. `turns[2].role is not a valid Role`).
        public var message: String
    }

    /// Lines read, blank ones included.
    public var linesRead = 0
    /// Conversations that were not in the replica.
    public var inserted = 0
    /// Conversations that differed and were updated.
    public var updated = 0
    /// Conversations already identical: not written at all.
    public var unchanged = 0
    /// The rejected lines, in order; at most ``maximumRejectionsKept``, see ``rejectedCount``.
    public var rejections: [Rejection] = []
    /// How many lines were rejected in all.
    public var rejectedCount = 0

    /// How many rejections the report keeps in detail, so that memory stays flat.
    public static let maximumRejectionsKept = 1000

    /// An empty report.
    public init() {}

    mutating func reject(line: Int, _ message: String) {
        rejectedCount += 1
        if rejections.count < Self.maximumRejectionsKept {
            rejections.append(Rejection(line: line, message: message))
        }
    }
}
