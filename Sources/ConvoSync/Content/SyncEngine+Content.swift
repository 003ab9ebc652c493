import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

/// Files and data frames, fetched on demand (DESIGN "Data model": "the bytes or rows cached on
/// demand, never outside the replica's own folder").
///
/// A pull does not fetch them: an app lists a conversation's files and frames when it shows
/// them, fetches a file's bytes when someone opens it, and reads frame slices from the
/// replica, which answers from its cache when the remote cannot be reached.
///
///     let files = try await engine.refreshFiles(of: "conv_1")
///     let url = try await engine.fetchFile(ref: files[0].ref, of: "conv_1")
///     let top = try await engine.dataFrameSlice(named: "report", of: "conv_1", limit: 5, orderBy: "amount", descending: true)
extension SyncEngine {
    /// Lists the conversation's files on the remote and records them: new and changed files
    /// are upserted by ref, files the remote no longer lists are removed with their cached bytes.
    ///
    /// - Returns: the conversation's files as the replica now holds them.
    /// - Throws: `SyncError` `.unsupported` (the dialect has no files), `.replica` (the replica
    ///   does not hold the conversation, or failed), `.offline`/`.rateLimited` once retries are
    ///   spent, `.remote` (e.g. the conversation is gone), `.unauthorized`, `.cancelled`.
    @discardableResult
    public nonisolated func refreshFiles(of conversationID: String) async throws -> [StoredFile] {
        let content = contentRemote
        try content.require(api.capabilities.files, "files")
        try await content.prepare(conversationID)
        let api = self.api
        let listed = IncomingFilter.files(try await content.call { try await api.files(of: conversationID) })
        logRefused(listed.refused, "files", of: conversationID)
        return try await content.record("a file") {
            try await replica.recordFiles(listed.kept.map(FileInfo.init(remote:)), conversationID: conversationID)
        }
    }

    /// Downloads a file's bytes into the replica's content folder and returns where they are.
    ///
    /// Already cached bytes are returned without a download unless `refresh`. A file the
    /// replica does not know yet, or holds with a size past the cap, is looked up in a fresh
    /// listing first. A download cut
    /// part-way leaves nothing and is retried from the start under the engine's `RetryPolicy`;
    /// bytes that do not add up to the listed size are refused.
    ///
    /// A file listed larger than `limits.maximumFileBytes` is refused before any byte is
    /// fetched, and a download that sends more than that (or than the listed size) is cut at
    /// once and its partial bytes removed: no more than the limit ever reaches the disk.
    ///
    /// - Returns: the absolute URL of the cached bytes, inside the replica's folder.
    /// - Throws: `SyncError` `.unsupported`, `.remote` (no such file on the remote, a
    ///   download whose length differs from the listed size, or — with a `RemoteError`
    ///   `responseTooLarge`, field `size` — a file past `limits`), `.offline`/`.rateLimited`
    ///   once retries are spent, `.replica`, `.unauthorized`, `.cancelled`.
    public nonisolated func fetchFile(
        ref: String, of conversationID: String, refresh: Bool = false, limits: ContentLimits = .default
    ) async throws -> URL {
        let content = contentRemote
        try content.require(api.capabilities.files, "files")
        let replica = self.replica
        let maximum = limits.maximumFileBytes
        var stored = try await content.store { try await replica.file(ref: ref) }
        // A file not known yet is looked up in a fresh listing; so is one recorded past the
        // cap, whose size claim the remote may have corrected since.
        if stored == nil || stored?.conversationID != conversationID || (stored?.size ?? 0) > maximum {
            _ = try await refreshFiles(of: conversationID)
            stored = try await content.store { try await replica.file(ref: ref) }
        }
        guard let stored, stored.conversationID == conversationID else {
            throw SyncError(.remote, "the remote lists no file with this ref in the conversation")
        }
        if !refresh, let url = stored.cachedURL, FileManager.default.fileExists(atPath: url.path) {
            return url
        }
        if let size = stored.size, size > maximum {
            throw ContentLimits.refusal(
                "the remote lists this file at \(size) bytes, more than the \(maximum) this client loads; it was not downloaded",
                field: "size", endpoint: "file download")
        }
        try await content.prepare(conversationID)
        let api = self.api
        let cached = try await content.call { () async throws -> StoredFile in
            let body = try await api.downloadFile(ref: ref, of: conversationID)
            do {
                let chunks = CappedChunks(base: body.map { $0.readableBytesView }, limit: maximum)
                return try await replica.cacheFileBytes(ref: ref, from: chunks)
            } catch let error as StoreError where error.code == .invalidArgument {
                throw SyncError(.remote, "the remote's download differs from the file's listed size", store: error)
            }
        }
        guard let url = cached.cachedURL else {
            throw SyncError(.replica, "the replica recorded no location for the cached bytes")
        }
        return url
    }

    /// Lists the conversation's data frames on the remote and records them (frames the
    /// remote no longer lists are removed). Frames with at most `sampleCount` rows arrive
    /// whole and are cached at once.
    ///
    /// - Parameter sampleCount: rows per frame the listing carries, 0…100 (v2 `num_samples`).
    /// - Returns: the conversation's data frames as the replica now holds them.
    /// - Throws: `SyncError` `.unsupported`, `.remote` (a sample count the remote refuses, the
    ///   conversation gone), `.offline`/`.rateLimited`, `.replica`, `.unauthorized`, `.cancelled`.
    @discardableResult
    public nonisolated func refreshDataFrames(of conversationID: String, sampleCount: Int = 5) async throws
        -> [StoredDataFrame]
    {
        let content = contentRemote
        try content.require(api.capabilities.dataFrames, "data frames")
        try await content.prepare(conversationID)
        let api = self.api
        let listed = IncomingFilter.dataFrames(
            try await content.call { try await api.dataFrames(of: conversationID, sampleCount: sampleCount) })
        logRefused(listed.refused, "data frames", of: conversationID)
        return try await content.record("a data frame") {
            try await replica.recordDataFrames(listed.kept.map(DataFrameInfo.init(remote:)), conversationID: conversationID)
        }
    }

    /// Says how many listed items were skipped for ids the replica does not store.
    private nonisolated func logRefused(_ count: Int, _ what: String, of conversationID: String) {
        guard count > 0 else { return }
        logger.notice(
            "skipped listed \(what) whose ids cannot be stored",
            metadata: ["conversation": "\(conversationID)", "refused": "\(count)"])
    }

    /// A slice of a data frame: its rows ordered by `orderBy` (ascending, nulls first, ties by
    /// row position; `descending` reverses), `offset` skipped, at most `limit`, only `columns`.
    ///
    /// Online, the frame is fetched whole from the remote (its listing, then pages of
    /// `configuration.pageSize` rows, at most 100, for a frame larger than that) and cached, and the slice is cut from that cache, so it
    /// is the same slice the remote would give and the same one an offline read gives later.
    /// When the remote cannot be reached (or rate limits past the retries), the slice comes
    /// from the rows cached before; with none cached the failure is thrown.
    ///
    /// - Throws: `SyncError` `.unsupported`; `.replica` wrapping `StoreError` `.invalidQuery`
    ///   (a negative offset, a limit outside 1…`Replica.maximumSliceRows`, an unknown column or
    ///   order) or `.notFound` (no such frame); `.offline`/`.rateLimited` when the remote is
    ///   unreachable and nothing is cached; `.remote` (with a `RemoteError` `responseTooLarge`,
    ///   field `row_count` or `rows`, for a frame past `limits.maximumFrameRows`: refused
    ///   before its rows are fetched, or as soon as more rows arrive), `.unauthorized`, `.cancelled`.
    public nonisolated func dataFrameSlice(
        named name: String, of conversationID: String, offset: Int = 0, limit: Int = 100, columns: [String]? = nil,
        orderBy: String? = nil, descending: Bool = false, limits: ContentLimits = .default
    ) async throws -> StoredDataFrameSlice {
        let content = contentRemote
        try content.require(api.capabilities.dataFrames, "data frames")
        guard offset >= 0, (1...Replica.maximumSliceRows).contains(limit) else {
            let invalid = StoreError(
                .invalidQuery, "a slice needs an offset of 0 or more and a limit within 1…\(Replica.maximumSliceRows)")
            throw SyncError(.replica, "the slice cannot be read: \(invalid.message)", store: invalid)
        }
        do {
            try await cacheWholeFrame(name, of: conversationID, content, maximumRows: limits.maximumFrameRows)
        } catch let error as SyncError where error.isRetryable {
            // Offline: the cached rows, if any, answer (DESIGN "Query API": works with no network).
            // A frame the replica never heard of is the remote's failure to report, not a bad query.
            let replica = self.replica
            let cached: StoredDataFrameSlice?
            do {
                cached = try await replica.dataFrameSlice(
                    name: name, conversationID: conversationID, offset: offset, limit: limit, columns: columns,
                    orderBy: orderBy, descending: descending)
            } catch let missing as StoreError where missing.code == .notFound {
                throw error
            } catch {
                throw SyncError.wrapping(error)
            }
            guard let cached else { throw error }
            return cached
        }
        let replica = self.replica
        let slice = try await content.store {
            try await replica.dataFrameSlice(
                name: name, conversationID: conversationID, offset: offset, limit: limit, columns: columns,
                orderBy: orderBy, descending: descending)
        }
        guard let slice else {
            throw SyncError(.replica, "the data frame's rows were not cached")
        }
        return slice
    }

    // MARK: Helpers

    /// Rows one data frame request asks for: the configured page size, within what v2 allows (1…100).
    nonisolated var frameRowsPerRequest: Int { min(max(configuration.pageSize, 1), 100) }

    nonisolated var contentRemote: ContentRemote {
        ContentRemote(api: api, replica: replica, retry: Retrying(policy: configuration.retry, clock: clock))
    }

    /// Refreshes the frame listing (small frames arrive whole in its samples), then fetches a
    /// larger frame's rows page by page and caches them all in one write.
    private nonisolated func cacheWholeFrame(
        _ name: String, of conversationID: String, _ content: ContentRemote, maximumRows: Int
    ) async throws {
        let rowsPerRequest = frameRowsPerRequest
        // Samples never exceed the cap either: a frame past it is then never whole in its listing.
        let frames = try await refreshDataFrames(of: conversationID, sampleCount: min(rowsPerRequest, max(maximumRows, 0)))
        guard let frame = frames.first(where: { $0.name == name }) else {
            let missing = StoreError(.notFound, "no such data frame", remoteID: conversationID)
            throw SyncError(.remote, "the remote lists no data frame with this name in the conversation", store: missing)
        }
        if frame.rowsCached { return }
        if let claimed = frame.rowCount, claimed > maximumRows {
            throw ContentLimits.refusal(
                "the remote lists data frame rows (\(claimed)) past the \(maximumRows) this client loads; none were fetched",
                field: "row_count", endpoint: "data frame rows")
        }
        let api = self.api
        var rows: [[JSONValue]] = []
        var columns: [String]?
        while true {
            let query = DataFrameQuery(offset: rows.count, limit: rowsPerRequest)
            let page = try await content.call { try await api.dataFrame(named: name, of: conversationID, query: query) }
            if let columns, columns != page.columns {
                throw SyncError(.remote, "the data frame's columns changed while it was read")
            }
            columns = page.columns
            rows.append(contentsOf: page.rows)
            if rows.count > maximumRows {
                throw ContentLimits.refusal(
                    "the remote sent more data frame rows than the \(maximumRows) this client loads; none were cached",
                    field: "rows", endpoint: "data frame rows")
            }
            if page.rows.isEmpty || rows.count >= (frame.rowCount ?? 0) { break }
        }
        let replica = self.replica
        let fetched = rows
        let fetchedColumns = columns
        _ = try await content.record("data frame rows") {
            try await replica.cacheDataFrameRows(
                name: name, conversationID: conversationID, rows: fetched, columns: fetchedColumns)
        }
    }
}

extension FileInfo {
    /// The replica's description of a remote file; a file listed without a direction is
    /// taken as produced by the conversation (v2 always states it).
    init(remote file: RemoteFile) {
        self.init(
            ref: file.ref, name: file.name, contentType: file.contentType, size: file.size,
            direction: file.direction.flatMap { FileDirection(rawValue: $0.rawValue) } ?? .output)
    }
}

extension DataFrameInfo {
    /// The replica's description of a remote data frame summary.
    init(remote frame: DataFrameSummary) {
        self.init(name: frame.name, columns: frame.columns, rowCount: frame.rowCount, samples: frame.samples)
    }
}
