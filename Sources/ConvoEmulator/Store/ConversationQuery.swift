/// A listing of one tenant's conversations: filters, order and where the page starts.
struct ConversationQuery: Sendable {
    /// Which conversations by deletion state.
    enum Deletion: Sendable { case active, deletedOnly, all }
    /// The sort order of a listing.
    enum Order: Sendable {
        /// agentflow: `updated_at` descending, ties by id descending.
        case updatedDescending
        /// v2, knowrithm, turns: `created_at` ascending, ties by id ascending.
        case createdAscending
    }
    /// Where a page starts.
    enum Start: Sendable {
        case beginning
        case offset(Int)
        /// After the item with this sort key (keyset paging).
        case after(time: Int64, id: String)
    }

    var tenantID: String
    var agentID: String?
    var entityID: String?
    var sourceRefID: String?
    var source: String?
    var excludeSource: String?
    /// Case-insensitive substring of the title or any message's content.
    var search: String?
    var deletion: Deletion = .active
    var order: Order = .createdAscending
    var start: Start = .beginning
    var limit: Int = 20
}
