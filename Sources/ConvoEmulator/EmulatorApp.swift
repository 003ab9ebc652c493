import Hummingbird

/// One route a dialect serves, relative to the dialect's base URL.
public struct EmulatorRoute: Sendable, Hashable, CustomStringConvertible {
    /// The dialect serving it.
    public let dialect: EmulatorDialect
    /// The HTTP method, e.g. `GET`.
    public let method: String
    /// The path template relative to the dialect's base, e.g. `/conversations/{id}`.
    public let path: String

    /// `METHOD /path`.
    public var description: String { "\(method) \(path)" }
}

/// Builds the router: every dialect under its prefix with its own auth, idempotency and
/// the shared error and fault middleware; the admin routes when enabled.
enum EmulatorApp {
    /// Each dialect's route table.
    static func tables(_ services: EmulatorServices) -> [(EmulatorDialect, RouteTable)] {
        [
            (.agentflow, AgentFlowRoutes(services: services).table),
            (.v2, V2Routes(services: services).table),
            (.knowrithm, KnowrithmRoutes(services: services).table),
            (.turns, TurnsRoutes(services: services).table),
        ]
    }

    /// The dialect routes the router serves under `services`' configuration (the
    /// `/_emulator` admin routes, test tooling, are not listed).
    static func routes(_ services: EmulatorServices) -> [EmulatorRoute] {
        tables(services).flatMap { dialect, table in
            table.served(extensions: services.configuration.extensions).map {
                EmulatorRoute(dialect: dialect, method: $0.method.rawValue, path: $0.path)
            }
        }
    }

    static func router(_ services: EmulatorServices) -> Router<EmulatorContext> {
        let router = Router(context: EmulatorContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: FaultMiddleware(faults: services.faults))
        let store = services.store
        for (dialect, table) in tables(services) {
            table.mount(
                on: router, at: dialect.basePath(tenant: "{tenant}"),
                middleware: [
                    AuthMiddleware(dialect: dialect, store: store),
                    IdempotencyMiddleware(
                        store: store, locks: services.idempotencyLocks,
                        replayCutStreams: services.configuration.replayCutStreams),
                ],
                faults: services.faults, extensions: services.configuration.extensions)
        }
        if services.configuration.adminEnabled {
            AdminRoutes(services: services).table.mount(on: router, at: "/_emulator", middleware: [LoopbackOnlyMiddleware()])
        }
        return router
    }
}
