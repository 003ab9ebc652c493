/// The four platform APIs ConvoSync syncs from (see `DIALECTS.md`).
///
/// A replica belongs to one account, and an account speaks one dialect.
public enum Dialect: String, CaseIterable, Sendable, Codable, Hashable {
    /// The AgentFlow SDK's REST API: cursor paging, durable watch snapshots, hard deletes.
    case agentflow
    /// The tenant-scoped v2 REST API: per-agent token paging, files and data frames.
    case v2
    /// The Knowrithm API: page-number paging, soft deletes with a deleted listing.
    case knowrithm
    /// The read-only turns API: offset paging, turns made of typed fragments.
    case turns
}
