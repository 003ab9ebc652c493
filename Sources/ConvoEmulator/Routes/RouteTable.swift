import Hummingbird

/// A dialect's routes, kept as a list so the app can mount them with the dialect's
/// middleware and answer a known path with an unknown method by 405.
struct RouteTable {
    typealias Handler = @Sendable (Request, EmulatorContext) async throws -> Response

    struct Route {
        var method: HTTPRequest.Method
        var path: String
        var handler: Handler
        /// The name under which ``FaultConfiguration/missingRoutes`` can take it away.
        var optionalName: String?
        /// Served only with ``EmulatorConfiguration/extensions``: not in DIALECTS.md.
        var isExtension = false
    }

    private(set) var routes: [Route] = []

    /// Adds a route; `path` is relative to the dialect's base. `optional` names it for the
    /// missing-route fault; `isExtension` keeps it off unless extensions are enabled.
    mutating func on(_ method: HTTPRequest.Method, _ path: String, optional: String? = nil, isExtension: Bool = false, _ handler: @escaping Handler) {
        routes.append(Route(method: method, path: path, handler: handler, optionalName: optional, isExtension: isExtension))
    }

    /// The routes served with or without extensions.
    func served(extensions: Bool) -> [Route] {
        routes.filter { extensions || !$0.isExtension }
    }

    /// The routes as a `RouteCollection`, behind `middleware` (applied in order). An optional
    /// route answers 404 `route_not_found` while `faults` name it missing.
    func collection(
        middleware: [any MiddlewareProtocol<Request, Response, EmulatorContext>], faults: FaultController?, extensions: Bool
    ) -> RouteCollection<EmulatorContext> {
        let collection = RouteCollection(context: EmulatorContext.self)
        for item in middleware { collection.add(middleware: item) }
        for route in served(extensions: extensions) {
            let handler = route.handler
            let optionalName = route.optionalName
            collection.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                if let optionalName, let faults, faults.configuration.lacks(optionalName) {
                    throw EmulatorError(.routeNotFound, "no such endpoint")
                }
                return try await handler(request, context)
            }
        }
        return collection
    }

    /// Mounts the routes under `prefix`, plus a 405 with `Allow` for every other method on their paths.
    func mount(
        on router: Router<EmulatorContext>, at prefix: String,
        middleware: [any MiddlewareProtocol<Request, Response, EmulatorContext>],
        faults: FaultController? = nil, extensions: Bool = false
    ) {
        router.addRoutes(collection(middleware: middleware, faults: faults, extensions: extensions), atPath: RouterPath(prefix))
        // Every method a contract could declare: the ones a path does not serve are 405.
        let methods: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
            + [HTTPRequest.Method("QUERY")].compactMap { $0 }
        var byPath: [String: Set<String>] = [:]
        for route in served(extensions: extensions) { byPath[route.path, default: []].insert(route.method.rawValue) }
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
