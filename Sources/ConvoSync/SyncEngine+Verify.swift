import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

extension SyncEngine {
    /// Reads the remote afresh and says whether the replica is exactly what it serves.
    ///
    /// Every scope is walked as a full sync pass walks it (same paging, same proof rules, same
    /// retries and read concurrency), without writing the replica, and compared conversation
    /// by conversation: ids, titles, metadata, deleted state, turn ids and order, each turn's
    /// role, state and text. A conversation the listing did not show is asked for by its own
    /// read where the dialect has one: it is extra only when that read says
    /// `conversation_not_found`. Conversations with queued local writes are reported as
    /// `pending`, not as differences.
    ///
    ///     let report = try await engine.verify()
    ///     if !report.isEqual { for finding in report.differences { print(finding.kind, finding.conversationID) } }
    ///
    /// - Parameter repair: fetch again what is missing or differs and purge what the remote
    ///   confirms gone, in the transactions a sync uses; then verify once more and return that.
    /// - Throws: `SyncError`, as `sync()` does.
    public func verify(repair: Bool = false) async throws -> VerifyReport {
        do {
            var report = try await verifyOnce(repair: repair)
            if repair, report.repaired > 0 {
                let repaired = report.repaired
                report = try await verifyOnce(repair: false)
                report.repaired = repaired
            }
            let summary = VerifySummary(report)
            broadcaster.update { status in
                status.phase = .idle
                status.lastVerification = summary
            }
            return report
        } catch {
            broadcaster.update { $0.phase = .idle }
            throw SyncError.wrapping(error)
        }
    }

    private func verifyOnce(repair: Bool) async throws -> VerifyReport {
        let context = makeContext()
        let scopes = try await resolveScopes(context)
        // Conversations the replica learned of since (or that were written to it by other
        // means) are addressed by their agent where the dialect's routes need one.
        api.rememberOwners(try await replica.conversationOwners())
        broadcaster.update { status in
            status.phase = .listing
            status.pages = 0
            status.conversations = 0
            status.conversationsRead = 0
            status.expectedConversations = nil
        }
        let queued = try await replica.pendingOutbox()
        let verifier = Verifier(context: context, pending: Set(queued.compactMap(\.conversationID)), repair: repair)
        var report = VerifyReport()
        report.pendingWrites = queued.count
        for scope in scopes {
            try Task.checkCancellation()
            let outcome = try await verifier.verify(scope)
            report.findings += outcome.findings
            report.remoteConversations += outcome.remote
            report.localConversations += outcome.local
            report.refused += outcome.refused
            report.repaired += outcome.repaired
            if !outcome.heldStill { report.listingsHeldStill = false }
        }
        report.findings.sort { ($0.conversationID, $0.kind.rawValue) < ($1.conversationID, $1.kind.rawValue) }
        report.finishedAt = Date()
        return report
    }
}
