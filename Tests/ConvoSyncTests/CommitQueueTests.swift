import Testing

@testable import ConvoSync

/// The hand-over between a listing pass and its committer: pages in order, several a commit
/// when the committer is behind, bounded, and ended by either side without a hang.
@Suite("Commit queue")
struct CommitQueueTests {
    struct Refused: Error, Equatable {}

    @Test("pages put while the committer is busy are taken together, in listing order")
    func takesEverythingWaitingInOrder() async throws {
        let queue = CommitQueue<Int>(limit: 4)
        try await queue.put(1)
        #expect(await queue.take() == [1])
        try await queue.put(2)
        try await queue.put(3)
        try await queue.put(4)
        #expect(await queue.take() == [2, 3, 4])
    }

    @Test("a committer waiting for a page gets the next one put")
    func waitingCommitterGetsTheNextPage() async throws {
        let queue = CommitQueue<Int>(limit: 2)
        async let taken = queue.take()
        try await queue.put(7)
        #expect(await taken == [7])
    }

    @Test("with limit pages waiting the pass waits, and goes on once the committer takes them")
    func passWaitsForRoom() async throws {
        let queue = CommitQueue<Int>(limit: 2)
        try await queue.put(1)
        try await queue.put(2)
        let third = Task { try await queue.put(3) }
        #expect(await queue.take() == [1, 2])
        try await third.value
        #expect(await queue.take() == [3])
    }

    @Test("a failed commit drops what waits and is thrown to the pass, also to a put already waiting")
    func failureReachesThePass() async throws {
        let queue = CommitQueue<Int>(limit: 1)
        try await queue.put(1)
        let waiting = Task { try await queue.put(2) }
        await queue.fail(Refused())
        await #expect(throws: Refused.self) { try await waiting.value }
        await #expect(throws: Refused.self) { try await queue.put(3) }
    }

    @Test("once the pass finishes, what waits is still taken, then the committer gets nothing and stops")
    func finishLetsWaitingPagesLand() async throws {
        let queue = CommitQueue<Int>(limit: 4)
        try await queue.put(1)
        await queue.finish()
        #expect(await queue.take() == [1])
        #expect(await queue.take() == [])
        let idle = CommitQueue<Int>(limit: 4)
        async let taken = idle.take()
        await idle.finish()
        #expect(await taken == [])
    }
}
