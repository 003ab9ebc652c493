import ConvoModel
import ConvoRemote

/// Refuses, item by item, what the remote sent with ids the replica does not store
/// (``RemoteID``): a conversation with such an id (or agent id) is skipped whole, a turn
/// with one is dropped from its conversation, a reply reference to one is cleared, and a
/// file (by its ref) or data frame (by its name) with one is left out of its listing. The
/// rest of the page goes on; the count is reported so a person can see the remote misbehave.
enum IncomingFilter {
    /// The storable conversations of a page, their turns filtered, and how many items were refused.
    static func conversations(_ snapshots: [ConversationSnapshot]) -> (kept: [ConversationSnapshot], refused: Int) {
        var kept: [ConversationSnapshot] = []
        kept.reserveCapacity(snapshots.count)
        var refused = 0
        for var snapshot in snapshots {
            let conversation = snapshot.conversation
            guard RemoteID.isStorable(conversation.id), conversation.agentID.map(RemoteID.isStorable) ?? true else {
                refused += 1
                continue
            }
            if let turns = snapshot.turns {
                let filtered = self.turns(turns)
                snapshot.turns = filtered.kept
                refused += filtered.refused
            }
            kept.append(snapshot)
        }
        return (kept, refused)
    }

    /// The storable turns, and how many were refused.
    static func turns(_ turns: [Turn]) -> (kept: [Turn], refused: Int) {
        var kept: [Turn] = []
        kept.reserveCapacity(turns.count)
        for var turn in turns where RemoteID.isStorable(turn.id) {
            if let reference = turn.inReplyTo, !RemoteID.isStorable(reference) { turn.inReplyTo = nil }
            kept.append(turn)
        }
        return (kept, turns.count - kept.count)
    }

    /// The files whose refs can be stored, and how many were refused.
    static func files(_ files: [RemoteFile]) -> (kept: [RemoteFile], refused: Int) {
        let kept = files.filter { RemoteID.isStorable($0.ref) }
        return (kept, files.count - kept.count)
    }

    /// The data frames whose names can be stored, and how many were refused.
    static func dataFrames(_ frames: [DataFrameSummary]) -> (kept: [DataFrameSummary], refused: Int) {
        let kept = frames.filter { RemoteID.isStorable($0.name) }
        return (kept, frames.count - kept.count)
    }
}
