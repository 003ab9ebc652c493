import ConvoRemote
import ConvoStore

/// One listing the engine pulls: everything the credentials see, or one agent's
/// conversations where the dialect lists per agent. Its name keys its `sync_state` row.
struct ListingScope: Sendable, Hashable {
    /// The agent listed, for dialects that list per agent.
    let agentID: String?

    /// The `sync_state` scope of the listing pass.
    var name: String { agentID.map { "conversations:\($0)" } ?? "conversations" }

    /// The `sync_state` scope of the soft-deleted listing (knowrithm).
    var deletedName: String { name + ":deleted" }

    /// The remote filter that lists this scope.
    var filter: ConversationFilter { ConversationFilter(agentID: agentID) }

    /// The `sync_state` scope holding where a conversation's messages were last read (v2 tail re-reads).
    static func tail(of conversationID: String) -> String { "messages:\(conversationID)" }
}

/// How a paging position is kept in a `sync_state` row, per paging kind, so an interrupted
/// pass resumes where its last committed page left off.
enum StoredPosition {
    /// The row's fields for `position`; `nil` means the pass is complete.
    static func update(scope: String, next position: PagingPosition?, generation: Int64) -> SyncStateUpdate {
        var update = SyncStateUpdate(scope: scope, cursor: .set(nil), offset: .set(nil), passGeneration: .set(generation))
        switch position {
        case .cursor(let token): update.cursor = .set(token)
        case .offset(let offset, let boundary):
            update.offset = .set(Int64(offset))
            update.cursor = .set(boundary)
        case .page(let number): update.offset = .set(Int64(number))
        case .start, nil: break
        }
        return update
    }

    /// Where a stored, unfinished pass resumes; `nil` when none is in progress.
    static func resume(_ state: SyncState?, paging: RemoteCapabilities.PagingKind) -> PagingPosition? {
        guard let state else { return nil }
        switch paging {
        case .cursor: return state.cursor.map(PagingPosition.cursor)
        case .offset: return state.offset.map { .offset(Int($0), expectedBoundaryID: state.cursor) }
        case .pageNumber: return state.offset.map { .page(Int($0)) }
        }
    }
}
