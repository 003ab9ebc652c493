import ConvoRemote
import ConvoStore
import Foundation

/// A replica opened for the work that needs no remote: importing an export, removing old
/// tombstones, discarding or re-queueing a write the remote refused. `convosync import`,
/// `gc`, `discard` and an offline `retry` run on it, and an app does the same.
///
///     let removed = try await OfflineSession.with(replicaAt: path) { session in
///         try await session.collectTombstones(olderThan: .now.addingTimeInterval(-30 * 86_400))
///     }
///
/// Every write here goes through the same store calls the engine makes, so a replica worked
/// on offline is one the next ``SyncSession`` carries on from.
public struct OfflineSession: Sendable {
    /// The replica: queries, search and the outbox's contents, as in a ``SyncSession``.
    public let replica: Replica

    private init(replica: Replica) {
        self.replica = replica
    }

    /// Opens the replica at `path`, runs `body` with it and closes it, whether `body` returns
    /// or throws. With `creatingForImport` a missing file becomes a new replica, bound to no
    /// account until its first sync (an export does not say where it came from).
    ///
    /// - Throws: `SyncError` `.replica` when the file is missing (without `creatingForImport`),
    ///   is not a replica, or cannot be opened or closed; whatever `body` throws, unchanged.
    public static func with<T: Sendable>(
        replicaAt path: String, creatingForImport: Bool = false, _ body: (OfflineSession) async throws -> T
    ) async throws -> T {
        let replica: Replica
        do {
            replica = try creatingForImport ? Replica.openForImport(at: path) : Replica.openExisting(at: path)
        } catch {
            throw SyncError.wrapping(error)
        }
        let result: T
        do {
            result = try await body(OfflineSession(replica: replica))
        } catch {
            try? replica.close()
            throw error
        }
        do {
            try replica.close()
        } catch {
            throw SyncError.wrapping(error)
        }
        return result
    }

    /// Imports a JSONL export (one conversation per line) from `handle`, up to its end.
    /// Bad lines are reported and skipped; the rest commits in batches.
    ///
    /// - Throws: `SyncError` `.replica` when the replica cannot be written or the input read.
    public func importJSONL(from handle: FileHandle) async throws -> ImportReport {
        do {
            return try await replica.importJSONL(from: handle)
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// Removes tombstones older than `cutoff` (never what a queued local write refers to), as
    /// ``SyncEngine/collectTombstones(now:)`` does in a sync: where the replica's dialect has
    /// soft deletes, soft-deleted rows are what the remote still serves and stay; only observed
    /// hard deletes are collected. A replica bound to no account keeps its soft-deleted rows.
    ///
    /// - Returns: how many conversations and turns were removed.
    /// - Throws: `SyncError` `.replica`.
    public func collectTombstones(olderThan cutoff: Date) async throws -> Int {
        let softDeletesAreData = replica.account.map { RemoteCapabilities.of($0.dialect).softDeletes } ?? true
        do {
            return try await replica.collectTombstones(olderThan: cutoff, includingSoftDeleted: !softDeletesAreData)
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// Drops queued write `opID` without pushing it and undoes it locally (a rename goes back,
    /// a message never sent leaves the conversation). Meant for a write the remote refused
    /// (state `failed`): a pending one may be on its way, which is why `convosync discard`
    /// refuses those.
    ///
    /// - Throws: `SyncError` `.replica` (with the store's `.notFound` for an unknown op).
    public func discardWrite(_ opID: Int64) async throws {
        do {
            try await replica.discardOutboxOp(opID)
        } catch {
            throw SyncError.wrapping(error)
        }
    }

    /// Marks a write the remote refused pending again, under a fresh idempotency key; the
    /// next push (a ``SyncSession``'s) sends it. See ``SyncSession/requeueRefusedWrite(_:)``.
    ///
    /// - Throws: `SyncError` `.replica`.
    public func requeueRefusedWrite(_ opID: Int64) async throws {
        try await RefusedWrite.requeue(opID, in: replica)
    }
}

/// What both sessions do to a refused write.
enum RefusedWrite {
    /// Pending again under a fresh idempotency key: under its old one a platform would only
    /// answer with the refusal it gave the first time.
    static func requeue(_ opID: Int64, in replica: Replica) async throws {
        do {
            try await replica.retryOutboxOp(opID, idempotencyKey: IdempotencyKey.random().rawValue)
        } catch {
            throw SyncError.wrapping(error)
        }
    }
}
