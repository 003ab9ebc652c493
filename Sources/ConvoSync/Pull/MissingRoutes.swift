/// The optional reads this remote turned out not to serve (`route_not_found`), remembered for
/// the engine's lifetime so each is asked once and worked around after (DIALECTS: a
/// `route_not_found` is a missing endpoint, never a deletion). Only a listing's own
/// `route_not_found` is a configuration error.
actor MissingRoutes {
    /// An optional read the engine can do without.
    enum Route: String, Sendable, Hashable, CaseIterable {
        /// knowrithm's soft-deleted listing: without it, the sweep's reads keep soft-deleted ones.
        case deletedListing = "deleted listing"
        /// agentflow's watch stream: without it, `sync()` keeps the conversation fresh.
        case watch
    }

    private(set) var routes: Set<Route> = []

    func contains(_ route: Route) -> Bool { routes.contains(route) }

    func insert(_ route: Route) { routes.insert(route) }
}
