import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

/// What one pull of every scope did.
public struct PullReport: Sendable, Hashable {
    /// Listing pages applied.
    public var pages = 0
    /// Conversations listed.
    public var listed = 0
    /// Conversations whose turns were read because something changed.
    public var read = 0
    /// Conversations recorded as hard-deleted.
    public var purged = 0
    /// Whether every scope's pass could check deletions; false when the remote changed
    /// under a pass (nothing was purged on its word; the next pull comes soon).
    public var deletionsChecked = true
    /// Full mark-and-sweep passes run (a scope whose pass the remote changed under, or that
    /// resumed an interrupted one, is listed again at once, up to `SyncConfiguration.passesPerSync`).
    public var fullPasses = 0
    /// Remote items skipped because their ids cannot be stored (``RemoteID``).
    public var refused = 0
}

/// Pulls every listing scope of the account, choosing per dialect (DESIGN "Change detection"):
/// listings ordered newest first with update times pull incrementally from the high-water mark
/// and fall back to a full pass when the remote's total disagrees with the replica (a hard
/// delete) or every `fullPassEvery` pulls; other dialects pull full passes, reading turns only
/// for what changed. Completed full passes sweep.
///
/// One pull converges: a full pass that could not prove the listing complete (the remote
/// changed under it, or it resumed an interrupted pass) is followed at once by another, up to
/// `passesPerSync` passes, so that against a quiet remote one sync leaves the replica equal to
/// it. Only a remote that keeps changing through every pass leaves deletions unchecked.
struct Puller: Sendable {
    let context: PullContext
    let scopes: [ListingScope]

    func pull(pullNumber: Int) async throws -> PullReport {
        var report = PullReport()
        for scope in scopes {
            try Task.checkCancellation()
            let pass = ListingPass(context: context, scope: scope)
            var outcome: PassOutcome
            if let since = try await incrementalStart(scope, pullNumber: pullNumber) {
                outcome = try await pass.run(.incremental(since: since))
                add(outcome, to: &report)
                let held = try await context.replica.remoteConversationCount(agentID: scope.agentID, includingDeleted: true)
                if outcome.total.map({ $0 != held }) ?? true {
                    context.logger.info(
                        "the remote's total disagrees with the replica: running a full pass",
                        metadata: ["scope": "\(scope.name)", "remote": "\(outcome.total ?? -1)", "replica": "\(held)"])
                    outcome = try await fullPass(pass, scope, report: &report)
                }
            } else {
                outcome = try await fullPass(pass, scope, report: &report)
            }
            if let newest = outcome.newest {
                try await context.replica.setSyncState(SyncStateUpdate(scope: scope.name, highWaterMark: .set(newest)))
            }
        }
        return report
    }

    private func fullPass(_ pass: ListingPass, _ scope: ListingScope, report: inout PullReport) async throws -> PassOutcome {
        var attempt = 1
        while true {
            let outcome = try await sweptPass(pass, scope)
            add(outcome, to: &report)
            report.fullPasses += 1
            if outcome.consistent || attempt >= max(1, context.configuration.passesPerSync) {
                if !outcome.consistent { report.deletionsChecked = false }
                return outcome
            }
            try Task.checkCancellation()
            attempt += 1
            context.logger.info(
                "the pass could not prove the listing complete: listing again",
                metadata: ["scope": "\(scope.name)", "pass": "\(attempt)", "resumed": "\(outcome.resumed)"])
        }
    }

    /// One full pass, the soft-deleted listing where the dialect has one, then the sweep.
    private func sweptPass(_ pass: ListingPass, _ scope: ListingScope) async throws -> PassOutcome {
        var outcome = try await pass.run(.full)
        if context.capabilities.deletedListing, await !context.missingRoutes.contains(.deletedListing) {
            do {
                let deleted = try await pass.runDeletedListing(generation: outcome.generation)
                outcome.listed += deleted.listed
                outcome.refused += deleted.refused
            } catch let error as SyncError where error.remote?.code == .routeNotFound {
                // An optional read the platform lacks: soft-deleted conversations are then
                // confirmed one by one by the sweep's reads, which never purge what still answers.
                await context.remoteLacks(.deletedListing)
                context.logger.notice("the remote has no deleted listing: confirming deletions by reads", metadata: ["scope": "\(scope.name)"])
            }
        }
        context.status.update { $0.phase = .sweeping }
        outcome.purged += try await Sweeper(context: context).sweep(scope, after: outcome)
        context.status.update { $0.phase = .listing }
        return outcome
    }

    /// The high-water mark to pull incrementally from, or `nil` when this pull must be full:
    /// the dialect cannot stop early, no full pass completed yet, one is in progress, or a
    /// periodic full pass is due.
    private func incrementalStart(_ scope: ListingScope, pullNumber: Int) async throws -> Date? {
        let capabilities = context.capabilities
        guard capabilities.listsRecentlyUpdatedFirst, capabilities.updateTimes, capabilities.reportsTotals,
            pullNumber % max(1, context.configuration.fullPassEvery) != 0
        else { return nil }
        let stored = try await context.replica.syncState(scope: scope.name)
        guard let stored, StoredPosition.resume(stored, paging: capabilities.paging) == nil else { return nil }
        return stored.highWaterMark
    }

    private func add(_ outcome: PassOutcome, to report: inout PullReport) {
        report.pages += outcome.pages
        report.listed += outcome.listed
        report.read += outcome.read
        report.purged += outcome.purged
        report.refused += outcome.refused
    }
}
