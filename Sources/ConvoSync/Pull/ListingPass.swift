import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

/// What one listing pass saw.
struct PassOutcome: Sendable {
    /// The mark-and-sweep generation of a full pass.
    var generation: Int64 = 0
    /// Whether it was a full pass (every page, stamped) rather than one stopped at the high-water mark.
    var full = true
    /// Whether the pass proved the listing complete and still (DESIGN "Sync"): no shifted
    /// boundary, the same total throughout, every item up to the total seen, every boundary
    /// verified, and not resumed after an interruption (whose earlier checks are lost).
    var consistent = true
    /// Whether the pass continued one that an earlier sync left unfinished.
    var resumed = false
    /// The total the first page reported, where the dialect reports totals.
    var total: Int?
    /// The newest update time seen.
    var newest: Date?
    /// Pages and conversations listed, conversations whose turns were read, purges observed,
    /// and items refused for ids the replica does not store (``RemoteID``).
    var pages = 0
    var listed = 0
    var read = 0
    var purged = 0
    var refused = 0
}

/// One pass over one listing scope (DESIGN "Sync"): each page is prepared (turns read for
/// what changed), then committed with the paging position that follows it in one transaction,
/// while the next pages are already being fetched. Pages prepared while a commit runs wait in
/// a ``CommitQueue`` and commit together in the next transaction, in order, the position
/// stored being the last one's. A full pass stamps every conversation with
/// its generation so a completed pass can sweep; an interrupted one resumes from its last
/// committed page. An incremental pass (listings ordered newest first) stops at the first
/// conversation older than the high-water mark and stores no position.
///
/// The pages come from a ``ListingWalk``, which decides what the pass proves (a short page, a
/// moving total or a cycle never lets it sweep). A position the remote refuses (400 or 410:
/// an expired cursor) restarts the pass from the start, once.
struct ListingPass: Sendable {
    enum Mode: Sendable, Equatable {
        case full
        case incremental(since: Date)
    }

    let context: PullContext
    let scope: ListingScope

    /// The most pages one commit takes: those prepared while the previous commit ran.
    static let pagesPerCommit = 2

    func run(_ mode: Mode) async throws -> PassOutcome {
        let stored = try await context.replica.syncState(scope: scope.name)
        var outcome = PassOutcome()
        outcome.newest = stored?.highWaterMark
        outcome.generation = (stored?.passGeneration ?? 0) + 1
        var start = PagingPosition.start
        switch mode {
        case .full:
            if let resume = StoredPosition.resume(stored, paging: context.capabilities.paging),
                let generation = stored?.passGeneration
            {
                outcome.generation = generation
                outcome.resumed = true
                start = resume
            }
        case .incremental:
            outcome.full = false
        }
        do {
            return try await pages(from: start, mode: mode, outcome: outcome)
        } catch let error as SyncError where start != .start && error.isRefusedPosition {
            // The stored position expired on the remote: list again from the start, once, as a
            // fresh pass (its own generation, so the stamps of the abandoned one prove nothing).
            context.logger.notice(
                "the remote refused the stored paging position: restarting the pass",
                metadata: ["scope": "\(scope.name)", "error": "\(error.code.rawValue)"])
            var fresh = PassOutcome()
            fresh.full = outcome.full
            fresh.newest = stored?.highWaterMark
            fresh.generation = (stored?.passGeneration ?? 0) + 1
            return try await pages(from: .start, mode: mode, outcome: fresh)
        }
    }

    private func pages(from start: PagingPosition, mode: Mode, outcome initial: PassOutcome) async throws -> PassOutcome {
        var outcome = initial
        var walk = ListingWalk(context: context, scope: scope, from: start, provenSoFar: !outcome.resumed)
        let preparer = PagePreparer(context: context)
        context.status.update { $0.scope = scope.name }
        let queue = CommitQueue<ListingPageWrite>(limit: Self.pagesPerCommit)
        try await withThrowingTaskGroup(of: Void.self) { committer in
            // One committer, so commits stay in page order; it commits what waits at once.
            let replica = context.replica
            committer.addTask {
                while true {
                    let pages = await queue.take()
                    if pages.isEmpty { return }
                    do {
                        try await replica.applyListingPages(pages)
                    } catch {
                        await queue.fail(error)
                        throw error
                    }
                }
            }
            do {
                while let page = try await walk.next() {
                    let incoming = IncomingFilter.conversations(page.items)
                    let prepared = try await preparer.prepare(incoming.kept)
                    for item in incoming.kept {
                        if let updated = item.conversation.updatedAt, outcome.newest.map({ updated > $0 }) ?? true {
                            outcome.newest = updated
                        }
                    }
                    let update = outcome.full
                        ? StoredPosition.update(scope: scope.name, next: walk.position, generation: outcome.generation) : nil
                    try await queue.put(
                        ListingPageWrite(
                            items: prepared.items, purged: prepared.gone, pass: outcome.full ? outcome.generation : nil,
                            syncState: update))
                    outcome.pages += 1
                    outcome.listed += page.items.count
                    outcome.read += prepared.read
                    outcome.purged += prepared.gone.count
                    outcome.refused += incoming.refused + prepared.refused
                    context.status.update { status in
                        status.pages += 1
                        status.conversations += page.items.count
                        status.conversationsRead += prepared.read
                        status.refusedItems += incoming.refused + prepared.refused
                        if status.expectedConversations == nil { status.expectedConversations = page.total }
                    }
                    if case .incremental(let since) = mode,
                        page.items.contains(where: { $0.conversation.updatedAt.map { $0 < since } ?? false })
                    {
                        walk.stop()
                    }
                }
                await queue.finish()
                try await committer.waitForAll()
            } catch {
                // Let the pages already prepared land: each is whole, with its position.
                await queue.finish()
                _ = try? await committer.waitForAll()
                if let failure = error as? SyncError, failure.code == .protocolViolation, outcome.full {
                    // A cycle must not be resumed into: the next pass starts from the beginning.
                    try? await context.replica.setSyncState(
                        StoredPosition.update(scope: scope.name, next: nil, generation: outcome.generation))
                }
                throw error
            }
        }
        outcome.total = walk.total
        outcome.consistent = try await walk.finish()
        return outcome
    }

    /// Lists the soft-deleted conversations (knowrithm) and stamps them with the pass's
    /// generation, so the sweep neither purges them nor misses a delete.
    /// - Returns: how many were listed, and how many were refused for unstorable ids.
    func runDeletedListing(generation: Int64) async throws -> (listed: Int, refused: Int) {
        var listed = 0
        var refused = 0
        try await DeletedListing(context: context).forEachPage { conversations in
            // Their turns too, where they changed: a restore shows them as they are.
            let incoming = IncomingFilter.conversations(conversations.map { ConversationSnapshot(conversation: $0, turns: nil) })
            let prepared = try await PagePreparer(context: context).prepare(incoming.kept)
            try await context.replica.applyListingPage(prepared.items, purged: prepared.gone, pass: generation, syncState: nil)
            listed += conversations.count
            refused += incoming.refused + prepared.refused
            context.status.update { status in
                status.pages += 1
                status.conversations += conversations.count
                status.conversationsRead += prepared.read
                status.refusedItems += incoming.refused + prepared.refused
            }
        }
        return (listed, refused)
    }
}

/// knowrithm's soft-deleted listing, walked page by page under the same ``PagingGuard`` as
/// every other listing. Only its pages' items count: it proves nothing about deletions.
struct DeletedListing: Sendable {
    let context: PullContext

    /// Calls `body` with each page's conversations, in order.
    func forEachPage(_ body: ([Conversation]) async throws -> Void) async throws {
        var position = PagingPosition.start
        var paging = PagingGuard(from: .start, reading: "deleted listing")
        var seen = Set<String>()
        let (api, size) = (context.api, context.configuration.pageSize)
        while true {
            let from = position
            let page = try await context.remote { try await api.deletedConversations(from: from, pageSize: size) }
            try paging.check(total: page.total)
            try await body(page.items)
            let fresh = page.items.filter { seen.insert($0.id).inserted && RemoteID.isStorable($0.id) }.count
            guard let next = page.next, !page.items.isEmpty, try paging.advance(to: next, fresh: fresh) == .go else { return }
            position = next
        }
    }
}

extension PagingPosition {
    /// Whether `next` lies before `from` in the listing: an offset or page number smaller than
    /// the one just read (a remote that sends a client back cannot be covering the listing).
    static func isBackwards(from: PagingPosition, to next: PagingPosition) -> Bool {
        switch (from, next) {
        case (.offset(let a, _), .offset(let b, _)): b < a
        case (.page(let a), .page(let b)): b <= a
        case (.start, .page(let b)): b <= 1
        default: false
        }
    }
}

extension SyncError {
    /// Whether the remote refused a paging position itself, rather than failing for another
    /// reason: 400 `invalid_request` (the documented answer to an expired or unknown cursor),
    /// or 410 Gone with any body that names no missing thing (what many platforms answer for
    /// an expired sync token). A 410 `conversation_not_found` is a deletion, not a position.
    var isRefusedPosition: Bool {
        guard code == .remote, let remote else { return false }
        switch remote.status {
        case 400: return remote.code == .invalidRequest
        case 410: return remote.resource == nil && (remote.code == .invalidRequest || remote.code == .notFound)
        default: return false
        }
    }
}
