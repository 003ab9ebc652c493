import ConvoRemote
import Testing

@testable import ConvoSync

/// The paging rules every walk shares, on positions a lying remote could hand back.
@Suite("Paging guard")
struct PagingGuardTests {
    @Test("a next token equal to the one just used (A→A) is a cycle, a typed protocolViolation")
    func immediateRepeatIsACycle() throws {
        var paging = PagingGuard(from: .start, reading: "listing")
        #expect(try paging.advance(to: .cursor("A"), fresh: 3) == .go)
        let error = #expect(throws: SyncError.self) { try paging.advance(to: .cursor("A"), fresh: 3) }
        #expect(error?.code == .protocolViolation)
    }

    @Test("a token met earlier in the walk (A→B→A) is a cycle too")
    func earlierTokenIsACycle() throws {
        var paging = PagingGuard(from: .start, reading: "listing")
        #expect(try paging.advance(to: .cursor("A"), fresh: 3) == .go)
        #expect(try paging.advance(to: .cursor("B"), fresh: 3) == .go)
        #expect(throws: SyncError.self) { try paging.advance(to: .cursor("A"), fresh: 3) }
    }

    @Test("two pages in a row that bring nothing new stop the walk, unproven")
    func barrenPagesStop() throws {
        var paging = PagingGuard(from: .start, reading: "listing")
        #expect(try paging.advance(to: .cursor("A"), fresh: 0) == .go)
        #expect(try paging.advance(to: .cursor("B"), fresh: 0) == .barren)
    }

    @Test("totals below zero or past a hundred million are refused; real ones pass")
    func absurdTotalsRefused() throws {
        let paging = PagingGuard(from: .start, reading: "listing")
        try paging.check(total: nil)
        try paging.check(total: 0)
        try paging.check(total: PagingGuard.maxTotal)
        #expect(throws: SyncError.self) { try paging.check(total: PagingGuard.maxTotal + 1) }
        #expect(throws: SyncError.self) { try paging.check(total: -1) }
    }

    @Test("an offset or page number that goes backwards is told apart from one that advances")
    func backwardsPositions() {
        #expect(PagingPosition.isBackwards(from: .offset(40, expectedBoundaryID: nil), to: .offset(39, expectedBoundaryID: "c")))
        #expect(!PagingPosition.isBackwards(from: .offset(40, expectedBoundaryID: nil), to: .offset(59, expectedBoundaryID: "c")))
        #expect(PagingPosition.isBackwards(from: .page(3), to: .page(2)))
        #expect(PagingPosition.isBackwards(from: .page(3), to: .page(3)))
        #expect(PagingPosition.isBackwards(from: .start, to: .page(1)))
        #expect(!PagingPosition.isBackwards(from: .start, to: .page(2)))
    }
}
