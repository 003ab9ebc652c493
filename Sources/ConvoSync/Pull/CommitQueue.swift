/// Prepared pages on their way to the replica, in listing order. The pass puts each page as
/// soon as it is prepared and goes on to fetch the next; one committer takes every page that
/// waits, at once, and commits them in one transaction. A write slower than the fetch then
/// commits more pages a transaction instead of holding the fetch back page by page, and a
/// fetch slower than the write commits each page as it comes. At most `limit` pages wait:
/// beyond that the pass waits for the committer, so memory stays flat.
///
/// Both sides end the queue, and neither waits on a side that has ended, so no wait needs
/// cancelling: the pass calls ``finish()`` when it ends, also when it fails (what waits is
/// then still committed), and the committer calls ``fail(_:)`` when a commit fails, which the
/// pass's next ``put(_:)`` throws.
actor CommitQueue<Element: Sendable> {
    private let limit: Int
    private var waiting: [Element] = []
    private var finished = false
    private var failure: (any Error)?
    /// The committer, waiting for a page.
    private var taker: CheckedContinuation<[Element], Never>?
    /// The pass, waiting for room.
    private var putter: CheckedContinuation<Void, any Error>?

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Adds a page after those waiting; waits while `limit` pages wait.
    /// - Throws: the committer's failure.
    func put(_ element: Element) async throws {
        while failure == nil && waiting.count >= limit {
            try await withCheckedThrowingContinuation { putter = $0 }
        }
        if let failure { throw failure }
        waiting.append(element)
        if let taker {
            self.taker = nil
            taker.resume(returning: takeWaiting())
        }
    }

    /// Every page that waits, in order, waiting for one when none does; empty once the pass
    /// has finished and nothing waits.
    func take() async -> [Element] {
        if !waiting.isEmpty || finished { return takeWaiting() }
        return await withCheckedContinuation { taker = $0 }
    }

    /// The pass puts no more pages.
    func finish() {
        finished = true
        if let taker {
            self.taker = nil
            taker.resume(returning: takeWaiting())
        }
    }

    /// A commit failed: what waits is dropped, and the pass's next `put` throws `error`.
    func fail(_ error: any Error) {
        failure = error
        waiting = []
        if let putter {
            self.putter = nil
            putter.resume(throwing: error)
        }
    }

    private func takeWaiting() -> [Element] {
        let taken = waiting
        waiting = []
        if let putter {
            self.putter = nil
            putter.resume()
        }
        return taken
    }
}
