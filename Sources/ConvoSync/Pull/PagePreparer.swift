import ConvoModel
import ConvoRemote
import ConvoStore

/// One listing page made ready to commit: each conversation with the turns of those that
/// changed, and the conversations whose own read proved them hard-deleted meanwhile.
struct PreparedPage: Sendable {
    var items: [ListedConversation] = []
    var gone: [String] = []
    /// How many conversations had their turns read.
    var read = 0
    /// Turns refused for ids the replica does not store.
    var refused = 0
}

/// Decides, per listed conversation, whether its turns must be read (DESIGN "Change
/// detection": a changed token, or a tail re-read where the dialect gives no token) and reads
/// those, a few at a time. Nothing is written here: the page commits as one transaction.
struct PagePreparer: Sendable {
    let context: PullContext

    func prepare(_ snapshots: [ConversationSnapshot]) async throws -> PreparedPage {
        let capabilities = context.capabilities
        let marks = try await context.replica.syncMarks(remoteIDs: snapshots.map(\.conversation.id))
        var slots: [ListedConversation?] = Array(repeating: nil, count: snapshots.count)
        var reads: [(index: Int, snapshot: ConversationSnapshot, token: String?)] = []
        for (index, snapshot) in snapshots.enumerated() {
            let token = ChangeToken.of(snapshot, capabilities: capabilities)
            let inStep = token != nil && marks[snapshot.conversation.id]?.changeToken == token
            if let turns = snapshot.turns {
                slots[index] = ListedConversation(
                    conversation: snapshot.conversation, turns: inStep ? .unchanged : .replace(turns), changeToken: token)
            } else if inStep {
                slots[index] = ListedConversation(conversation: snapshot.conversation, turns: .unchanged, changeToken: nil)
            } else {
                reads.append((index, snapshot, token))
            }
        }
        // The tail positions of the conversations re-read from their tail (v2), in one read.
        let tails =
            capabilities.pagedTurns
            ? try await context.replica.syncStates(
                scopes: reads.filter { $0.token == nil }.map { ListingScope.tail(of: $0.snapshot.conversation.id) })
            : [:]
        var page = PreparedPage()
        let results = try await reads.map { ($0.snapshot, $0.token) }.concurrentMap(width: context.configuration.concurrentReads) {
            try await read($0.0, token: $0.1, tail: tails[ListingScope.tail(of: $0.0.conversation.id)])
        }
        for (read, result) in zip(reads, results) {
            switch result {
            case .gone: page.gone.append(read.snapshot.conversation.id)
            case .listed(let item, let refused):
                slots[read.index] = item
                page.refused += refused
            }
        }
        page.items = slots.compactMap { $0 }
        page.read = reads.count
        return page
    }

    private enum ReadResult: Sendable {
        case listed(ListedConversation, refused: Int)
        case gone
    }

    /// One conversation's turns as its dialect gives them; `.gone` when its own read says
    /// it was hard-deleted after the listing named it.
    private func read(_ snapshot: ConversationSnapshot, token: String?, tail: SyncState?) async throws -> ReadResult {
        let id = snapshot.conversation.id
        let capabilities = context.capabilities
        do {
            if !capabilities.pagedTurns {
                // A read by id with messages (agentflow): its fields are newer than the listing's.
                let fresh = try await context.remote { try await context.reader.read(id) }
                let conversation = fresh.conversation ?? snapshot.conversation
                let current = ConversationSnapshot(conversation: conversation, turns: nil)
                return .listed(
                    ListedConversation(
                        conversation: conversation, turns: .replace(fresh.turns),
                        changeToken: ChangeToken.of(current, capabilities: capabilities)),
                    refused: fresh.refused)
            }
            if token != nil {
                // Update times say it changed (knowrithm): read every turn, replace.
                let turns = try await context.remote { try await context.reader.allTurns(of: id) }
                return .listed(
                    ListedConversation(conversation: snapshot.conversation, turns: .replace(turns.kept), changeToken: token),
                    refused: turns.refused)
            }
            do {
                return try await tailReRead(snapshot, from: tail)
            } catch let error as SyncError where error.isRefusedPosition {
                // The stored tail cursor expired on the remote: read the whole conversation again.
                let turns = try await context.remote { try await context.reader.allTurns(of: id) }
                return .listed(
                    ListedConversation(
                        conversation: snapshot.conversation, turns: .replace(turns.kept), changeToken: nil,
                        syncState: SyncStateUpdate(scope: ListingScope.tail(of: id), cursor: .set(nil))),
                    refused: turns.refused)
            }
        } catch let error as SyncError where error.remote?.isConversationNotFound == true {
            return .gone
        }
    }

    /// v2 has no update times and append-only messages paged oldest first: re-read from the
    /// position that produced the last page (`stored`, the conversation's tail scope), dedupe
    /// by id, keep the new tail position.
    private func tailReRead(_ snapshot: ConversationSnapshot, from stored: SyncState?) async throws -> ReadResult {
        let id = snapshot.conversation.id
        let scope = ListingScope.tail(of: id)
        var position = stored?.cursor.map(PagingPosition.cursor) ?? .start
        var producing = position
        var paging = PagingGuard(from: position, reading: "messages listing")
        var turns: [Turn] = []
        var seen = Set<String>()
        var refused = 0
        while true {
            let from = position
            let page = try await context.remote {
                try await context.api.turns(of: id, from: from, pageSize: context.configuration.pageSize)
            }
            try paging.check(total: page.total)
            if !page.items.isEmpty { producing = from }
            let incoming = IncomingFilter.turns(page.items)
            refused += incoming.refused
            let before = turns.count
            for turn in incoming.kept where seen.insert(turn.id).inserted { turns.append(turn) }
            guard let next = page.next, !page.items.isEmpty else { break }
            // A tail re-read only appends: pages that bring nothing more end it.
            guard try paging.advance(to: next, fresh: turns.count - before) == .go else { break }
            position = next
        }
        let cursor: String? = if case .cursor(let token) = producing { token } else { nil }
        return .listed(
            ListedConversation(
                conversation: snapshot.conversation, turns: .append(turns), changeToken: nil,
                syncState: SyncStateUpdate(scope: scope, cursor: .set(cursor))),
            refused: refused)
    }
}
