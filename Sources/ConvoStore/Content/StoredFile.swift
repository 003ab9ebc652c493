import Foundation

/// A file of a conversation as the replica holds it, with where its bytes are cached.
///
/// The bytes are fetched on demand (``Replica/cacheFileBytes(ref:from:)``) into the replica's
/// content folder, under a name derived from the file's row and `ref`, never from `name`.
///
///     if let file = try await replica.file(ref: "file_3fa2"), let url = file.cachedURL {
///         let bytes = try Data(contentsOf: url)
///     }
public struct StoredFile: Sendable, Hashable, Identifiable {
    /// The file's unique key on the remote.
    public var ref: String
    /// The remote id of the conversation the file belongs to.
    public var conversationID: String
    /// The name as the remote reports it; display text, not a path.
    public var name: String
    /// The media type the remote reports.
    public var contentType: String?
    /// The download's length in bytes, when known.
    public var size: Int64?
    /// Uploaded or produced.
    public var direction: FileDirection
    /// Where the cached bytes are, relative to the folder holding the replica file; `nil`
    /// while the bytes are not cached.
    public var cachedPath: String?
    /// The absolute location of the cached bytes; `nil` while they are not cached.
    public var cachedURL: URL?
    /// When the bytes were cached.
    public var cachedAt: Date?

    /// The file's identity: its `ref`.
    public var id: String { ref }

    /// The remote's description of the file, without the cache.
    public var info: FileInfo {
        FileInfo(ref: ref, name: name, contentType: contentType, size: size, direction: direction)
    }

    /// Makes a stored file; the replica's queries make these.
    public init(
        ref: String, conversationID: String, name: String, contentType: String?, size: Int64?, direction: FileDirection,
        cachedPath: String?, cachedURL: URL?, cachedAt: Date?
    ) {
        self.ref = ref
        self.conversationID = conversationID
        self.name = name
        self.contentType = contentType
        self.size = size
        self.direction = direction
        self.cachedPath = cachedPath
        self.cachedURL = cachedURL
        self.cachedAt = cachedAt
    }
}
