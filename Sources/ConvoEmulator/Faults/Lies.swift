/// What one listing response tells under the faults that lie, decided once per request by
/// ``FaultController/beginListing(conversations:)``.
///
/// A route builds its true page, then passes items, totals, cursors and sizes through
/// here: this is the one place that decides whether and how a lie applies.
///
///     let lies = services.faults.beginListing(conversations: true)
///     let shown = lies.page(items)                  // empty or short page
///     let total = lies.total(trueTotal)             // moving or absurd total
///     let next = lies.next(scope: "af", after: requested, last: key, hasMore: more)
struct ListingLies: Sendable {
    /// How a conversation listing's page is cut.
    enum Cut: Sendable, Equatable { case none, empty, short }

    /// The faults in force when the listing began.
    let faults: FaultConfiguration
    /// This listing's number among all listings, from 1.
    let number: Int
    /// The cut of this page (conversation listings only).
    let cut: Cut
    /// The churn to apply after this conversation listing, if any.
    let churn: FaultController.Churn?

    /// Whether the page claims the listing ends with it (empty or short page).
    var endsListing: Bool { cut != .none }

    /// The items the page shows: all, none, or the first half (rounded down).
    func page<T>(_ items: [T]) -> [T] {
        switch cut {
        case .none: return items
        case .empty: return []
        case .short: return Array(items.prefix(items.count / 2))
        }
    }

    /// The total the page reports for a true total.
    func total(_ truth: Int) -> Int {
        if faults.absurdTotal { return FaultConfiguration.absurdTotalValue }
        if faults.movingTotal { return truth + number % 3 }
        return truth
    }

    /// knowrithm's `pages` for a true total: from the reported total, or the requested
    /// page itself when the page is short.
    func pages(truth: Int, perPage: Int, page: Int) -> Int {
        if cut == .short { return page }
        let reported = total(truth)
        return reported / perPage + (reported % perPage == 0 ? 0 : 1)
    }

    /// A byte size or row count as the listing claims it.
    func size(_ truth: Int) -> Int {
        faults.hugeSizes ? FaultConfiguration.hugeSizeValue : truth
    }

    /// `items` plus, under ``FaultConfiguration/hostileIDs``, one fabricated item made by
    /// `fabricate` from this listing's hostile id (after `prefix`).
    func withFabricated(_ items: [JSON], prefix: String, _ fabricate: (String) -> JSON) -> [JSON] {
        guard let id = hostileID(prefix: prefix) else { return items }
        return items + [fabricate(id)]
    }

    /// This listing's hostile id, or nil when hostile ids are off.
    func hostileID(prefix: String) -> String? {
        faults.hostileIDs ? FaultConfiguration.hostileID(number, prefix: prefix) : nil
    }

    /// The request's paging token for `scope`, nil when none was sent.
    ///
    /// - Throws: `invalid_request` for a forged token or one of another cursor generation
    ///   (400, or 410 under ``FaultConfiguration/expiredCursorsGone``).
    func cursor(_ token: String?, scope: String) throws -> KeysetCursor? {
        do {
            return try token.map { try KeysetCursor.decode($0, scope: scope, generation: faults.cursorGeneration) }
        } catch let expired as KeysetCursor.Expired {
            var error = expired.error
            if faults.expiredCursorsGone { error.statusOverride = .gone }
            throw error
        }
    }

    /// The next token of a page reached with `requested` whose last true item has sort key
    /// `last`; nil when the page is the last (`hasMore` false) or claims to be.
    ///
    /// Under ``FaultConfiguration/cursorCycle`` (when `cycles`), page index 2 answers the
    /// first page's next token again, last page or not.
    func next(scope: String, after requested: KeysetCursor?, last: KeysetCursor.Key?, hasMore: Bool, cycles: Bool = true) -> String? {
        guard !endsListing else { return nil }
        let index = requested?.page ?? 0
        if cycles, faults.cursorCycle, index == 2, let first = requested?.first {
            return KeysetCursor(scope: scope, key: first, generation: faults.cursorGeneration, page: 1, first: nil).encoded()
        }
        guard hasMore, let last else { return nil }
        let first = index == 1 ? requested?.key : requested?.first
        return KeysetCursor(scope: scope, key: last, generation: faults.cursorGeneration, page: index + 1, first: first).encoded()
    }
}

extension FaultConfiguration {
    /// The `id:` a watch snapshot event carries: the snapshot id, or under
    /// ``sseHostileIDs`` the snapshot id plus U+0001 and `x` (even `sent`, from 0) or padded
    /// with `x` to 1,500 bytes (odd `sent`).
    func eventID(_ snapshotID: Int64, sent: Int) -> String {
        let id = String(snapshotID)
        guard sseHostileIDs else { return id }
        return sent % 2 == 0 ? id + "\u{1}x" : id + String(repeating: "x", count: max(0, 1500 - id.utf8.count))
    }

    /// Whether the optional route `name` is answered 404 `route_not_found`.
    func lacks(_ name: String) -> Bool { missingRoutes.contains(name) }
}
