import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// The folder where cached file bytes live: `<replica file name>.files` beside the replica.
    public var contentFolder: URL {
        folder.appendingPathComponent(ContentFolder.name(forReplicaAt: path), isDirectory: true)
    }

    // MARK: Writes

    /// Records the files the remote lists for a conversation, upserting by `ref`, in one transaction.
    ///
    /// With `removingUnlisted` (the default, for a full listing) the conversation's files that
    /// `files` does not name are removed, and their cached bytes with them. Pass `false` to add
    /// files without a full listing (the files an upload just created). A file whose `size`
    /// changed loses its cached bytes (they are of an older version). Names are kept as given:
    /// they are display text and never become paths; only a NUL, which SQLite text cannot
    /// hold, is kept as U+FFFD. A `ref` listed twice keeps its last entry.
    ///
    ///     let listed = try await replica.recordFiles(remoteFiles, conversationID: "conv_1")
    ///
    /// - Returns: the conversation's files after the write, in the order they were first recorded.
    /// - Throws: `StoreError` `.invalidArgument` (an empty `ref` or one holding NUL, a negative
    ///   `size`: nothing is written), `.notFound` (no such conversation, or purged), `.database`.
    @discardableResult
    public func recordFiles(
        _ files: [FileInfo], conversationID: String, removingUnlisted: Bool = true
    ) async throws -> [StoredFile] {
        for file in files {
            guard !file.ref.isEmpty, !file.ref.contains("\u{0}") else {
                throw StoreError(.invalidArgument, "a file's ref must be non-empty text without NUL")
            }
            guard (file.size ?? 0) >= 0 else {
                throw StoreError(.invalidArgument, "a file's size must not be negative", remoteID: conversationID)
            }
        }
        let folder = self.folder
        let (stored, stale) = try await writing { db -> ([StoredFile], [String]) in
            let localID = try Self.visibleConversation(conversationID, db).id ?? -1
            var stale: [String] = []
            let lastEntry = Dictionary(files.enumerated().map { ($1.ref, $0) }, uniquingKeysWith: { max($0, $1) })
            for (index, file) in files.enumerated() where lastEntry[file.ref] == index {
                if let path = try Self.upsertFile(file, conversationID: localID, db) { stale.append(path) }
            }
            let listed = Set(lastEntry.keys)
            if removingUnlisted {
                let existing = try FileRecord.filter(FileRecord.Columns.conversationID == localID).fetchAll(db)
                for record in existing where !listed.contains(record.fileRef) {
                    try record.delete(db)
                    if let path = record.cachedPath { stale.append(path) }
                }
            }
            return (try Self.files(localID: localID, remoteID: conversationID, folder: folder, db), stale)
        }
        removeCachedFiles(stale)
        return stored
    }

    /// Streams a file's bytes into the replica's content folder and records where they are.
    ///
    /// The chunks go to a new temporary file in ``contentFolder`` (mode 0600), which is
    /// flushed to disk, checked against the file's recorded `size`, and renamed into place
    /// under a name derived from the file's row and `ref` (never its `name`); `cached_path`
    /// and `cached_at` then commit in one transaction. A sequence that fails part-way, too
    /// many or too few bytes, or a file removed or resized meanwhile leave no file behind and
    /// change no row.
    /// Caching again replaces the bytes. Partial files a killed process left an hour or more
    /// ago are removed on the way.
    ///
    ///     let stored = try await replica.cacheFileBytes(ref: "file_3fa2", from: chunks)
    ///     let text = try String(contentsOf: stored.cachedURL!, encoding: .utf8)
    ///
    /// - Returns: the file with its ``StoredFile/cachedURL``.
    /// - Throws: what `chunks` throws, unchanged (a cut download), `CancellationError`;
    ///   `StoreError` `.notFound` (no file with this ref, or it was removed or resized
    ///   meanwhile), `.invalidArgument` (only for a byte count that differs from the
    ///   recorded size), `.database` (the folder or file cannot be written, SQLite failed).
    @discardableResult
    public func cacheFileBytes<Chunks: AsyncSequence>(ref: String, from chunks: Chunks) async throws -> StoredFile
    where Chunks.Element: Sequence<UInt8> {
        guard !ref.isEmpty else { throw StoreError(.invalidArgument, "a file's ref must not be empty") }
        guard let record = try await reading({ db in try FileRecord.fetch(ref: ref, db) }), let rowID = record.id else {
            throw StoreError(.notFound, "no file with this ref", path: path)
        }
        let replicaPath = path
        let folder = self.folder
        let contentFolder = self.contentFolder
        try ContentFolder.prepare(contentFolder, replicaPath: replicaPath)
        ContentFolder.removeStalePartials(in: contentFolder)
        let partial = try PartialFile(in: contentFolder, replicaPath: replicaPath)
        do {
            var count: Int64 = 0
            for try await chunk in chunks {
                try Task.checkCancellation()
                try Self.write(chunk, to: partial, count: &count, limit: record.size, path: replicaPath)
            }
            if let size = record.size, count != size {
                throw StoreError(
                    .invalidArgument, "the file's bytes (\(count)) differ from its recorded size (\(size))",
                    path: replicaPath)
            }
            try partial.finish()
        } catch {
            partial.discard()
            throw error
        }
        let relative = ContentFolder.cachedPath(rowID: rowID, ref: ref, replicaPath: replicaPath)
        let destination = ContentFolder.url(ofCachedPath: relative, in: folder)
        let source = partial.url
        do {
            return try await writing { db -> StoredFile in
                guard var current = try FileRecord.fetch(ref: ref, db), current.id == rowID, current.size == record.size,
                    let remoteID = try String.fetchOne(
                        db, sql: "SELECT remote_id FROM conversation WHERE id = ?", arguments: [current.conversationID])
                else {
                    throw StoreError(
                        .notFound, "the file was removed or changed while its bytes were fetched", path: replicaPath)
                }
                try ContentFolder.move(source, to: destination, replicaPath: replicaPath)
                current.cachedPath = relative
                current.cachedAt = Timestamp.milliseconds(Date())
                try current.update(db)
                return try current.stored(conversationID: remoteID, folder: folder)
            }
        } catch {
            partial.discard()
            // The bytes may have moved into place before the transaction failed: keep them only
            // if the row records them (an earlier cache of the same file).
            let recorded = try? await reading { db in try FileRecord.fetch(ref: ref, db)?.cachedPath }
            if recorded != relative { removeCachedFiles([relative]) }
            throw error
        }
    }

    // MARK: Queries

    /// The files of a conversation, in the order they were first recorded, with where their
    /// bytes are cached. Works offline.
    ///
    /// - Throws: `StoreError` `.notFound` (no such conversation, or purged), `.database`.
    public func files(conversationID: String) async throws -> [StoredFile] {
        let folder = self.folder
        return try await reading { db in
            let localID = try Self.visibleConversation(conversationID, db).id ?? -1
            return try Self.files(localID: localID, remoteID: conversationID, folder: folder, db)
        }
    }

    /// The file with this `ref`, with the absolute URL of its cached bytes when cached; `nil`
    /// when the replica holds no such file.
    ///
    /// - Throws: `StoreError` `.database`.
    public func file(ref: String) async throws -> StoredFile? {
        let folder = self.folder
        return try await reading { db in
            guard let record = try FileRecord.fetch(ref: ref, db),
                let remoteID = try String.fetchOne(
                    db, sql: "SELECT remote_id FROM conversation WHERE id = ?", arguments: [record.conversationID])
            else { return nil }
            return try record.stored(conversationID: remoteID, folder: folder)
        }
    }

    // MARK: Helpers

    /// Inserts or updates one file row; returns a cached path that no longer holds this file's bytes.
    private static func upsertFile(_ file: FileInfo, conversationID: Int64, _ db: Database) throws -> String? {
        guard let existing = try FileRecord.fetch(ref: file.ref, db) else {
            var record = FileRecord(
                id: nil, conversationID: conversationID, fileRef: file.ref, name: StoredText.keepable(file.name),
                contentType: file.contentType.map(StoredText.keepable), size: file.size, direction: file.direction.rawValue,
                cachedPath: nil, cachedAt: nil)
            try record.insert(db)
            return nil
        }
        var updated = existing
        updated.conversationID = conversationID
        updated.name = StoredText.keepable(file.name)
        updated.contentType = file.contentType.map(StoredText.keepable)
        updated.size = file.size
        updated.direction = file.direction.rawValue
        var stale: String?
        if existing.size != file.size, let cached = existing.cachedPath {
            stale = cached
            updated.cachedPath = nil
            updated.cachedAt = nil
        }
        try updated.updateChanges(db, from: existing)
        return stale
    }

    private static func files(localID: Int64, remoteID: String, folder: URL, _ db: Database) throws -> [StoredFile] {
        try FileRecord.filter(FileRecord.Columns.conversationID == localID).order(Column("id")).fetchAll(db)
            .map { try $0.stored(conversationID: remoteID, folder: folder) }
    }

    /// Writes one chunk, refusing to go past a known size (a hostile or broken remote cannot fill the disk).
    private static func write<Chunk: Sequence<UInt8>>(
        _ chunk: Chunk, to file: PartialFile, count: inout Int64, limit: Int64?, path: String
    ) throws {
        let written: Int64? = try chunk.withContiguousStorageIfAvailable { buffer in
            try checkLimit(count + Int64(buffer.count), limit, path: path)
            try file.write(UnsafeRawBufferPointer(buffer))
            return Int64(buffer.count)
        }
        if let written {
            count += written
            return
        }
        let bytes = Array(chunk)
        try checkLimit(count + Int64(bytes.count), limit, path: path)
        try bytes.withUnsafeBytes { try file.write($0) }
        count += Int64(bytes.count)
    }

    private static func checkLimit(_ total: Int64, _ limit: Int64?, path: String) throws {
        if let limit, total > limit {
            throw StoreError(
                .invalidArgument, "the file's bytes exceed its recorded size (\(limit))", path: path)
        }
    }
}
