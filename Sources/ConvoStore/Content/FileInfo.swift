/// Whether a file was uploaded to a conversation or produced by it.
public enum FileDirection: String, Sendable, Hashable, CaseIterable, Codable {
    /// Uploaded to the conversation by a person or an app.
    case input
    /// Produced by the conversation (a report, an export).
    case output
}

/// A file as the remote lists it: what ``Replica/recordFiles(_:conversationID:removingUnlisted:)`` writes.
///
/// `ref` is the file's identity; `name` is free text from whoever uploaded it and is only
/// ever shown, never used as a path (it may repeat, hold `/`, `..` or control characters).
///
///     let info = FileInfo(ref: "file_3fa2", name: "Q3 plan.txt", contentType: "text/plain", size: 412, direction: .input)
///     try await replica.recordFiles([info], conversationID: "conv_1")
public struct FileInfo: Sendable, Hashable {
    /// The file's unique key on the remote (v2 `file_ref`); never empty.
    public var ref: String
    /// The name as the remote reports it; display text, not a path.
    public var name: String
    /// The media type the remote reports.
    public var contentType: String?
    /// The download's length in bytes, when the remote reports it; cached bytes must match it.
    public var size: Int64?
    /// Uploaded or produced.
    public var direction: FileDirection

    /// Makes a file description.
    public init(ref: String, name: String, contentType: String?, size: Int64?, direction: FileDirection) {
        self.ref = ref
        self.name = name
        self.contentType = contentType
        self.size = size
        self.direction = direction
    }
}
