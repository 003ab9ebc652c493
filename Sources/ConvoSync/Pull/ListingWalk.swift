import ConvoModel
import ConvoRemote

/// Walks one listing scope page by page and keeps the evidence of what the walk proves
/// (DESIGN "Sync"): a page is evidence, not proof. The walk is consistent only if the total
/// never moved, no offset boundary shifted, every boundary was verified, and the pages
/// covered every item up to the total. A position that goes backwards makes it inconsistent;
/// a position met twice is a cycle, which ends the walk with `protocolViolation` instead of
/// looping. Sync passes and `verify()` walk the same way; neither trusts a page more.
///
///     var walk = ListingWalk(context: context, scope: scope, from: .start)
///     while let page = try await walk.next() { apply(page) }
///     let proven = try await walk.finish()
struct ListingWalk: Sendable {
    let context: PullContext
    let scope: ListingScope
    /// Where the next page starts; `nil` once the listing ended (or the walk was stopped).
    private(set) var position: PagingPosition?
    /// Whether the evidence so far is consistent.
    private(set) var consistent: Bool
    /// The total the first page reported, where the dialect reports totals.
    private(set) var total: Int?
    /// The distinct ids listed so far, refused ones included (they were listed).
    private(set) var seen: Set<String> = []
    /// Pages read.
    private(set) var pages = 0
    private var paging: PagingGuard
    private var unverified: [(offset: Int, id: String)] = []
    private var stoppedEarly = false

    /// A walk from `start`; one that continues an earlier, interrupted walk proves nothing
    /// (`provenSoFar` false): the checks of its first part are lost.
    init(context: PullContext, scope: ListingScope, from start: PagingPosition, provenSoFar: Bool = true) {
        self.context = context
        self.scope = scope
        self.position = start
        self.consistent = provenSoFar
        self.paging = PagingGuard(from: start, reading: "listing")
    }

    /// The next page, or `nil` once the listing ended.
    /// - Throws: `SyncError` (the remote call's, after retries); `protocolViolation` for a cycle.
    mutating func next() async throws -> RemotePage<ConversationSnapshot>? {
        guard let from = position else { return nil }
        let (api, filter, size) = (context.api, scope.filter, context.configuration.pageSize)
        let page = try await context.remote { try await api.conversations(from: from, pageSize: size, filter: filter) }
        pages += 1
        try paging.check(total: page.total)
        if let reported = page.total {
            if total == nil { total = reported } else if total != reported { consistent = false }
        }
        if page.boundaryMatched == false { consistent = false }
        var fresh = 0
        for item in page.items where seen.insert(item.conversation.id).inserted && RemoteID.isStorable(item.conversation.id) {
            fresh += 1
        }
        position = try following(from, page, fresh: fresh)
        if case .offset(let offset, nil)? = position, let last = page.items.last {
            // The page held only the overlap item: the next one is read without a check at
            // this boundary, so it is verified when the walk finishes (DESIGN "Sync").
            unverified.append((offset - 1, last.conversation.id))
        }
        return page
    }

    /// Ends the walk before the listing's end (an incremental pass reached its high-water
    /// mark): coverage is then not asked of it.
    mutating func stop() {
        position = nil
        stoppedEarly = true
    }

    /// Whether the walk proved the listing complete and still: coverage up to the total, then
    /// the boundaries left unverified, each re-read.
    mutating func finish() async throws -> Bool {
        if !stoppedEarly, let total, seen.count < total { consistent = false }
        let (api, filter) = (context.api, scope.filter)
        for boundary in unverified where consistent {
            let check = try await context.remote {
                try await api.conversations(
                    from: .offset(boundary.offset, expectedBoundaryID: boundary.id), pageSize: 1, filter: filter)
            }
            if check.boundaryMatched != true { consistent = false }
        }
        unverified = []
        return consistent
    }

    /// Where the listing continues after `page` (read at `from`, bringing `fresh` new
    /// storable ids), or `nil` where it ends. An empty page ends it (coverage decides what that
    /// proves); so do two pages in a row that bring nothing new, unproven.
    private mutating func following(_ from: PagingPosition, _ page: RemotePage<ConversationSnapshot>, fresh: Int) throws
        -> PagingPosition?
    {
        guard let next = page.next, !page.items.isEmpty else { return nil }
        if PagingPosition.isBackwards(from: from, to: next) { consistent = false }
        guard try paging.advance(to: next, fresh: fresh) == .go else {
            consistent = false
            return nil
        }
        return next
    }
}
