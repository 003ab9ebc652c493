import ConvoRemote
import ConvoStore

/// What the content calls share: the capability check, the conversation's owner for dialects
/// whose routes name the agent, and remote calls retried under the engine's `RetryPolicy`
/// (the same `Retrying` a pull uses).
struct ContentRemote: Sendable {
    let api: any RemoteAPI
    let replica: Replica
    let retry: Retrying

    /// Refuses a dialect without files or data frames before anything is asked of the remote.
    func require(_ supported: Bool, _ what: String) throws {
        guard supported else { throw SyncError(.unsupported, "this dialect has no \(what)") }
    }

    /// Tells the adapter which agent owns `conversationID` (v2 routes name both); the
    /// conversation must be in the replica, since what is fetched is recorded under it.
    ///
    /// - Throws: `SyncError` `.replica` (with `StoreError` `.notFound`) when the replica does not hold it.
    func prepare(_ conversationID: String) async throws {
        let detail: ConversationDetail?
        do {
            detail = try await replica.conversation(id: conversationID, includeDeleted: true)
        } catch {
            throw SyncError.wrapping(error)
        }
        guard let detail else {
            let missing = StoreError(.notFound, "no such conversation", remoteID: conversationID)
            throw SyncError(.replica, "the replica does not hold this conversation: sync it first", store: missing)
        }
        if let agentID = detail.summary.agentID {
            api.rememberOwners([conversationID: agentID])
        }
    }

    /// Runs a remote call, retrying retryable failures (network, 5xx, 429) with backoff.
    func call<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await retry { try await body() }
    }

    /// Runs a replica call, its failures as `SyncError`.
    func store<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw SyncError.wrapping(error) }
    }

    /// Records what the remote answered: the replica refusing it as an invalid argument (an
    /// empty or NUL-holding ref or name, rows that do not fit their columns) is the remote's
    /// fault, a `SyncError` `.remote`; nothing of it was written.
    func record<T: Sendable>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError where error.code == .invalidArgument {
            throw SyncError(.remote, "the remote answered \(what) the replica cannot hold: \(error.message)", store: error)
        } catch {
            throw SyncError.wrapping(error)
        }
    }
}
