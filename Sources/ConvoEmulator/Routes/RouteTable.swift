import Hummingbird

/// A dialect's routes, kept as a list so the app can mount them with the dialect's
/// middleware and answer a known path with an unknown method by 405.
struct RouteTable {
    typealias Handler = @Sendable (Request, EmulatorContext) async throws -> Response

    struct Route {
        var method: HTTPRequest.Method
        var path: String
        var handler: Handler
    }

    private(set) var routes: [Route] = []

    /// Adds a route; `path` is relative to the dialect's base.
    mutating func on(_ method: HTTPRequest.Method, _ path: String, _ handler: @escaping Handler) {
        routes.append(Route(method: method, path: path, handler: handler))
    }

    /// The routes as a `RouteCollection`, behind `middleware` (applied in order).
    func collection(middleware: [any MiddlewareProtocol<Request, Response, EmulatorContext>]) -> RouteCollection<EmulatorContext> {
        let collection = RouteCollection(context: EmulatorContext.self)
        for item in middleware { collection.add(middleware: item) }
        for route in routes {
            let handler = route.handler
            collection.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                try await handler(request, context)
            }
        }
        return collection
    }

    /// Mounts the routes under `prefix`, plus a 405 with `Allow` for every other method on their paths.
    func mount(on router: Router<EmulatorContext>, at prefix: String, middleware: [any MiddlewareProtocol<Request, Response, EmulatorContext>]) {
        router.addRoutes(collection(middleware: middleware), atPath: RouterPath(prefix))
        // Every method a contract could declare: the ones a path does not serve are 405.
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
            + [HTTPRequest.Method("QUERY")].compactMap { $0 }
        var byPath: [String: Set<String>] = [:]
        for route in routes { byPath[route.path, default: []].insert(route.method.rawValue) }
        for (path, taken) in byPath.sorted(by: { $0.key < $1.key }) {
            let allowed = taken.sorted()
            for method in methods where !taken.contains(method.rawValue) {
                router.on(RouterPath(prefix).appendingPath(RouterPath(path)), method: method) { _, _ -> Response in
                    throw EmulatorError(.methodNotAllowed, "method \(method.rawValue) is not allowed here", allowedMethods: allowed)
                }
            }
        }
    }
}
