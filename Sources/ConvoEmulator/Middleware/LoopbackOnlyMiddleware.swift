import Hummingbird

/// Refuses the admin routes (403 `forbidden`) to any peer not on loopback.
struct LoopbackOnlyMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.peerIsLoopback else {
            throw EmulatorError(.forbidden, "admin routes answer loopback peers only")
        }
        return try await next(request, context)
    }
}
