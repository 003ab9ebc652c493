import Hummingbird

/// Builds the router: every dialect under its prefix with its own auth, idempotency and
/// the shared error and fault middleware; the admin routes when enabled.
enum EmulatorApp {
    static func router(_ services: EmulatorServices) -> Router<EmulatorContext> {
        let router = Router(context: EmulatorContext.self)
        router.add(middleware: ErrorMiddleware())
        router.add(middleware: FaultMiddleware(faults: services.faults))
        let store = services.store
        func middleware(_ dialect: EmulatorDialect) -> [any MiddlewareProtocol<Request, Response, EmulatorContext>] {
            [AuthMiddleware(dialect: dialect, store: store), IdempotencyMiddleware(
                store: store, locks: services.idempotencyLocks,
                replayCutStreams: services.configuration.replayCutStreams)]
        }
        AgentFlowRoutes(services: services).table.mount(on: router, at: "/agentflow/v1", middleware: middleware(.agentflow))
        V2Routes(services: services).table.mount(on: router, at: "/v2/tenants/{tenant}/api/v2", middleware: middleware(.v2))
        KnowrithmRoutes(services: services).table.mount(on: router, at: "/knowrithm/v1", middleware: middleware(.knowrithm))
        TurnsRoutes(services: services).table.mount(on: router, at: "/turns", middleware: middleware(.turns))
        if services.configuration.adminEnabled {
            AdminRoutes(services: services).table.mount(on: router, at: "/_emulator", middleware: [LoopbackOnlyMiddleware()])
        }
        return router
    }
}
