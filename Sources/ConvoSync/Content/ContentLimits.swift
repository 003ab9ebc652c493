import ConvoRemote

/// The most content the engine loads from a remote: a file's bytes and a data frame's rows.
///
/// A remote may claim a file of 10^12 bytes or a frame of 10^12 rows, by mistake or on
/// purpose. A claim past a limit is refused before anything is fetched, and a download that
/// keeps sending past the limit is cut and its partial bytes removed, so neither the disk nor
/// the memory holds more than the limit, whatever the remote says or sends.
///
///     let url = try await engine.fetchFile(ref: ref, of: id, limits: ContentLimits(maximumFileBytes: 50 << 20))
public struct ContentLimits: Sendable, Hashable {
    /// The largest file `fetchFile` downloads, in bytes. Default 1 GiB.
    public var maximumFileBytes: Int64
    /// The most rows of one data frame `dataFrameSlice` fetches and caches. The whole frame is
    /// held in memory for the one write that caches it, so the default is 1,000,000 rows.
    public var maximumFrameRows: Int

    /// Makes limits; every parameter has the default documented on its property.
    public init(maximumFileBytes: Int64 = 1 << 30, maximumFrameRows: Int = 1_000_000) {
        self.maximumFileBytes = maximumFileBytes
        self.maximumFrameRows = maximumFrameRows
    }

    /// The defaults.
    public static let `default` = ContentLimits()

    /// The error for content past a limit: `SyncError` `.remote` over a `RemoteError`
    /// `responseTooLarge` whose `field` names what was too large (`size`, `row_count`, `rows`).
    static func refusal(_ message: String, field: String, endpoint: String) -> SyncError {
        SyncError(.remote, message, remote: RemoteError(.responseTooLarge, endpoint: endpoint, field: field))
    }
}

/// A download's chunks, cut with a `ContentLimits` refusal as soon as more than `limit`
/// bytes arrived: the store then removes the partial file.
struct CappedChunks<Base: AsyncSequence>: AsyncSequence where Base.Element: Collection<UInt8> {
    typealias Element = Base.Element

    let base: Base
    let limit: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let limit: Int64
        var count: Int64 = 0

        mutating func next() async throws -> Base.Element? {
            guard let chunk = try await base.next() else { return nil }
            count += Int64(chunk.count)
            if count > limit {
                throw ContentLimits.refusal(
                    "the remote sent more than the \(limit) bytes this file may have; the download was stopped",
                    field: "size", endpoint: "file download")
            }
            return chunk
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator(), limit: limit)
    }
}
