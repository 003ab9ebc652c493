import ConvoModel
import ConvoRemote
import ConvoStore

/// Compares the replica with the remote, one listing scope at a time (issue "a replica that
/// proves it is complete"): the remote is walked afresh with the sync's own paging and proof
/// rules (``ListingWalk``), every listed conversation's turns are read and compared with the
/// replica's, page by page, so memory holds one page and the ids seen. What the listing did
/// not show is asked for by its own read where the dialect has one, and is called extra only
/// when that read says `conversation_not_found`.
///
/// With `repair`, what differs or is missing is written as a sync writes it
/// (`applyListingPage`, one transaction a page) and what the remote confirms gone is purged.
struct Verifier: Sendable {
    let context: PullContext
    /// Remote ids of conversations with local writes waiting: shown, not compared.
    let pending: Set<String>
    let repair: Bool

    /// What one scope's verification found.
    struct Outcome: Sendable {
        var findings: [VerifyFinding] = []
        var remote = 0
        var local = 0
        var refused = 0
        var heldStill = true
        var repaired = 0
    }

    func verify(_ scope: ListingScope) async throws -> Outcome {
        var outcome = Outcome()
        var walk = ListingWalk(context: context, scope: scope, from: .start)
        context.status.update { $0.scope = "verify:" + scope.name }
        var compared = Set<String>()
        while let page = try await walk.next() {
            // An offset page repeats the previous page's last item: it is compared once.
            try await take(page.items.filter { compared.insert($0.conversation.id).inserted }, into: &outcome)
            context.status.update { status in
                status.pages += 1
                status.conversations += page.items.count
                if status.expectedConversations == nil { status.expectedConversations = page.total }
            }
        }
        var listed = walk.seen
        if context.capabilities.deletedListing, await !context.missingRoutes.contains(.deletedListing) {
            listed.formUnion(try await takeDeletedListing(into: &outcome))
        }
        // Distinct ids: offset pages overlap by one item, which is compared twice but counted once.
        outcome.remote = listed.filter(RemoteID.isStorable).count
        outcome.heldStill = try await walk.finish()
        let held = try await context.replica.heldConversations(agentID: scope.agentID)
        outcome.local = held.count
        let unlisted = held.filter { !listed.contains($0) }
        try await checkUnlisted(unlisted, heldStill: outcome.heldStill, into: &outcome)
        return outcome
    }

    // MARK: Listed conversations

    /// Compares one page of listed conversations (and repairs what differs).
    private func take(_ items: [ConversationSnapshot], into outcome: inout Outcome) async throws {
        let incoming = IncomingFilter.conversations(items)
        outcome.refused += incoming.refused
        let compared = try await incoming.kept.concurrentMap(width: context.configuration.concurrentReads) {
            try await compare($0)
        }
        let read = incoming.kept.filter { $0.turns == nil }.count
        context.status.update { $0.conversationsRead += read }
        var fixes: [ListedConversation] = []
        var gone: [String] = []
        for result in compared {
            outcome.refused += result.refused
            guard let finding = result.finding else { continue }
            outcome.findings.append(finding)
            if let fix = result.fix { fixes.append(fix) }
            if finding.kind == .extraLocally, finding.confirmedGone == true { gone.append(finding.conversationID) }
        }
        if repair, !fixes.isEmpty || !gone.isEmpty {
            try await context.replica.applyListingPage(fixes, purged: gone, pass: nil, syncState: nil)
            outcome.repaired += fixes.count + gone.count
        }
    }

    /// knowrithm lists its soft-deleted conversations apart: they are compared the same way.
    /// - Returns: the ids listed.
    private func takeDeletedListing(into outcome: inout Outcome) async throws -> Set<String> {
        var listed = Set<String>()
        do {
            try await DeletedListing(context: context).forEachPage { conversations in
                for conversation in conversations { listed.insert(conversation.id) }
                try await take(conversations.map { ConversationSnapshot(conversation: $0, turns: nil) }, into: &outcome)
            }
        } catch let error as SyncError where error.remote?.code == .routeNotFound {
            await context.remoteLacks(.deletedListing)
        }
        return listed
    }

    private struct Comparison: Sendable {
        var finding: VerifyFinding?
        /// What a repair writes for it.
        var fix: ListedConversation?
        var refused = 0
    }

    /// One listed conversation against the replica: its fields from the listing (or its read,
    /// which is newer), its turns from the listing where it carries them, else from its read.
    private func compare(_ listed: ConversationSnapshot) async throws -> Comparison {
        let id = listed.conversation.id
        if pending.contains(id) { return Comparison(finding: VerifyFinding(.pending, conversationID: id)) }
        var conversation = listed.conversation
        var turns: [Turn]
        var refused = 0
        if let inline = listed.turns {
            turns = inline
        } else {
            do {
                let state = try await context.remote { try await context.reader.read(id) }
                if let fresh = state.conversation { conversation = fresh }
                turns = state.turns
                refused = state.refused
            } catch let error as SyncError where error.remote?.isConversationNotFound == true {
                // Listed, then gone before its read: the remote changed during the verification.
                let held = try await context.replica.conversation(id: id, includeDeleted: true) != nil
                guard held else { return Comparison() }
                return Comparison(
                    finding: VerifyFinding(.extraLocally, conversationID: id, confirmedGone: true, unconfirmed: true))
            }
        }
        let snapshot = ConversationSnapshot(conversation: conversation, turns: listed.turns == nil ? nil : turns)
        let fix = ListedConversation(
            conversation: conversation, turns: .replace(turns),
            changeToken: ChangeToken.of(snapshot, capabilities: context.capabilities))
        guard let local = try await context.replica.conversation(id: id, includeDeleted: true) else {
            return Comparison(finding: VerifyFinding(.missingLocally, conversationID: id), fix: fix, refused: refused)
        }
        let fields = Self.differences(remote: conversation, turns: turns, local: local)
        guard !fields.isEmpty else { return Comparison(refused: refused) }
        return Comparison(finding: VerifyFinding(.differs, conversationID: id, fields: fields), fix: fix, refused: refused)
    }

    // MARK: Unlisted conversations

    /// Conversations the replica holds that no listing showed: extra only on the proof of
    /// their own read; one that still answers was missed by a moving listing and is compared.
    private func checkUnlisted(_ ids: [String], heldStill: Bool, into outcome: inout Outcome) async throws {
        var gone: [String] = []
        for id in ids {
            if pending.contains(id) {
                outcome.findings.append(VerifyFinding(.pending, conversationID: id))
                continue
            }
            guard context.reader.canRead else {
                // No read (turns): only a listing that held still makes the absence meaningful.
                outcome.findings.append(VerifyFinding(.extraLocally, conversationID: id, unconfirmed: !heldStill))
                if repair && heldStill { gone.append(id) }
                continue
            }
            do {
                let state = try await context.remote { try await context.reader.read(id) }
                guard let local = try await context.replica.conversation(id: id, includeDeleted: true) else { continue }
                let conversation = state.conversation ?? local.summary.conversation
                let fields = Self.differences(remote: conversation, turns: state.turns, local: local)
                if !fields.isEmpty {
                    outcome.findings.append(VerifyFinding(.differs, conversationID: id, fields: fields, unconfirmed: true))
                }
            } catch let error as SyncError where error.remote?.isConversationNotFound == true {
                outcome.findings.append(VerifyFinding(.extraLocally, conversationID: id, confirmedGone: true))
                gone.append(id)
            }
        }
        if repair, !gone.isEmpty {
            try await context.replica.applyListingPage([], purged: gone, pass: nil, syncState: nil)
            outcome.repaired += gone.count
        }
    }

    // MARK: Comparing

    /// The fields in which the replica's `local` differs from the remote's conversation and
    /// turns, compared as the replica stores them (NUL kept as U+FFFD; ids never stored are
    /// not expected).
    static func differences(remote conversation: Conversation, turns: [Turn], local: ConversationDetail) -> [String] {
        var fields: [String] = []
        let summary = local.summary
        if conversation.title.map(StoredText.keepable) != summary.title { fields.append("title") }
        if let metadata = conversation.metadata, metadata != summary.metadata { fields.append("metadata") }
        if (conversation.deletedAt != nil) != (summary.deletedAt != nil) { fields.append("deleted") }
        if let agent = conversation.agentID, let held = summary.agentID, agent != held { fields.append("agent") }

        let remoteTurns = IncomingFilter.turns(turns).kept
        let localTurns = local.turns.filter { !$0.id.isEmpty }
        guard remoteTurns.map(\.id) == localTurns.map(\.id) else {
            let remoteIDs = Set(remoteTurns.map(\.id))
            let localIDs = Set(localTurns.map(\.id))
            if remoteIDs == localIDs {
                fields.append("turns.order")
            } else {
                for id in remoteIDs.subtracting(localIDs).sorted() { fields.append("turn \(id).missing") }
                for id in localIDs.subtracting(remoteIDs).sorted() { fields.append("turn \(id).extra") }
            }
            return fields
        }
        for (remote, held) in zip(remoteTurns, localTurns) {
            if remote.role != held.role { fields.append("turn \(remote.id).role") }
            if let state = remote.state, state != held.state { fields.append("turn \(remote.id).state") }
            if (remote.deletedAt != nil) != (held.deletedAt != nil) { fields.append("turn \(remote.id).deleted") }
            if digest(remote.fragments.map { StoredText.keepable($0.content) }) != digest(held.fragments.map(\.content)) {
                fields.append("turn \(remote.id).text")
            }
        }
        return fields
    }

    /// A stable digest of a turn's fragment texts: two texts are told apart without keeping either.
    private static func digest(_ texts: [String]) -> UInt64 {
        var hasher = StableHasher()
        for text in texts { hasher.add(text) }
        return hasher.value
    }
}
