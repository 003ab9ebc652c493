import Hummingbird

/// The per-request context: who is calling (tenant, credential) and through which dialect.
///
/// Auth middleware fills in the caller; handlers read it through ``requireCaller()``.
public struct EmulatorContext: RequestContext {
    /// Hummingbird's per-request storage (logger, parameters, endpoint).
    public var coreContext: CoreRequestContextStorage
    /// The dialect whose routes matched, set by its auth middleware.
    public var dialect: EmulatorDialect?
    /// The authenticated tenant.
    public var tenantID: String?
    var credential: CredentialRecord?
    /// Whether the peer is on the loopback interface (admin routes require it).
    let peerIsLoopback: Bool

    /// A context for a new request; notes whether the peer is on loopback.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        switch source.channel.remoteAddress {
        case .v4(let address)?: peerIsLoopback = address.host.hasPrefix("127.")
        case .v6(let address)?: peerIsLoopback = address.host == "::1"
        default: peerIsLoopback = false
        }
    }

    /// Multipart uploads may reach 16 MiB; JSON bodies are held to 1 MiB by the routes.
    public var maxUploadSize: Int { EmulatorConfiguration.maxUploadBytes }

    /// The authenticated credential.
    ///
    /// - Throws: `unauthorized` when no auth middleware ran.
    func requireCaller() throws -> CredentialRecord {
        guard let credential else { throw EmulatorError(.unauthorized, "missing credential") }
        return credential
    }
}
