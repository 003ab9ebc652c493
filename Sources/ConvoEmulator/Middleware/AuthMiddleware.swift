import Hummingbird

/// Authenticates a dialect's requests and records the caller in the context.
///
/// agentflow, v2 and turns take `Authorization: Bearer KEY`; knowrithm takes
/// `X-API-Key` with `X-API-Secret`, or a bearer token equal to the key. v2 also checks
/// that the tenant in the path is the credential's. Anything else is 401 `unauthorized`.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext
    let dialect: EmulatorDialect
    let store: EmulatorStore

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.dialect = dialect
        let credential = try await authenticate(request)
        if dialect == .v2, context.parameters.get("tenant") != credential.tenantID {
            throw EmulatorError(.unauthorized, "the credential is not valid for this tenant")
        }
        context.credential = credential
        context.tenantID = credential.tenantID
        return try await next(request, context)
    }

    private func authenticate(_ request: Request) async throws -> CredentialRecord {
        if let authorization = request.headers[.authorization] {
            let prefix = "bearer "
            guard authorization.lowercased().hasPrefix(prefix) else { throw Self.rejected }
            let key = String(authorization.dropFirst(prefix.count))
            guard !key.isEmpty, let credential = try await store.credential(apiKey: key) else { throw Self.rejected }
            return credential
        }
        if dialect == .knowrithm,
           let key = request.header(named: "x-api-key"),
           let secret = request.header(named: "x-api-secret") {
            guard let credential = try await store.credential(apiKey: key), credential.secret == secret else { throw Self.rejected }
            return credential
        }
        throw Self.rejected
    }

    private static let rejected = EmulatorError(.unauthorized, "missing or wrong credential")
}
