import ConvoRemote

/// Keeps a paged read from following a remote that never lets it end (DESIGN "The
/// emulator": cursors that cycle, totals no tenant has, pages of fabricated items): a
/// position met twice is a cycle; two pages in a row that bring nothing new mean the pages
/// no longer carry the listing; a total past ``maxTotal`` is a lie, not a tenant.
struct PagingGuard: Sendable {
    /// The largest total believed: no tenant holds a hundred million conversations, nor a
    /// conversation that many messages.
    static let maxTotal = 100_000_000

    /// What the read should do after a page.
    enum Verdict: Sendable, Equatable {
        /// Read the next page.
        case go
        /// Two pages in a row brought nothing new: stop, and trust nothing about the end.
        case barren
    }

    private var requested: Set<PagingPosition>
    private var barrenPages = 0
    /// What is read, for the error message: `listing` or `messages`.
    private let what: String

    init(from start: PagingPosition, reading what: String) {
        requested = [start]
        self.what = what
    }

    /// Checks a page's reported total.
    /// - Throws: `SyncError` `protocolViolation` for a total past ``maxTotal`` (or below zero).
    func check(total: Int?) throws {
        guard let total, total < 0 || total > Self.maxTotal else { return }
        throw SyncError(
            .protocolViolation, "the remote reports \(total) items in one \(what), which no real account holds: nothing was removed")
    }

    /// Records that the read goes on to `next` after a page that brought `fresh` new
    /// storable items.
    /// - Throws: `SyncError` `protocolViolation` when `next` was requested before (a cycle).
    mutating func advance(to next: PagingPosition, fresh: Int) throws -> Verdict {
        guard requested.insert(next).inserted else {
            throw SyncError(
                .protocolViolation,
                "the remote's \(what) pages cycle (a paging position came back after \(requested.count) pages): nothing was removed; the next sync starts afresh")
        }
        barrenPages = fresh > 0 ? 0 : barrenPages + 1
        return barrenPages >= 2 ? .barren : .go
    }
}
