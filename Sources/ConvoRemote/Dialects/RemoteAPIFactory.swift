import ConvoModel
import Foundation
import Logging

/// Makes the adapter of an account's dialect.
///
///     let connection = RemoteAPIFactory.make(account: account, configuration: .init(), logger: logger)
///     defer { try await connection.shutdown() }  // when the engine's run() ends
///     let page = try await connection.api.conversations(from: .start, pageSize: 100, filter: .init())
public enum RemoteAPIFactory {
    /// An adapter and the transport it owns, built for `account`.
    public static func make(account: RemoteAccount, configuration: RemoteConfiguration = .init(), logger: Logger)
        -> RemoteConnection
    {
        let transport = HTTPTransport(
            baseURL: account.baseURL, credentials: account.credentials, configuration: configuration, logger: logger)
        return RemoteConnection(api: make(account: account, transport: transport), transport: transport)
    }

    /// The adapter of `account.dialect` over an existing transport (built for the same
    /// base URL and credentials).
    public static func make(account: RemoteAccount, transport: HTTPTransport) -> any RemoteAPI {
        switch account.dialect {
        case .agentflow: return AgentFlowAdapter(transport: transport, account: account)
        case .v2: return V2Adapter(transport: transport, account: account)
        case .knowrithm: return KnowrithmAdapter(transport: transport, account: account)
        case .turns: return TurnsAdapter(transport: transport, account: account)
        }
    }
}

/// A dialect adapter with the transport it owns: shut it down once, when done.
public struct RemoteConnection: Sendable {
    /// The account's adapter.
    public let api: any RemoteAPI
    /// The transport under it.
    public let transport: HTTPTransport

    /// Shuts the transport's HTTP client down; call exactly once.
    /// - Throws: what `HTTPTransport.shutdown()` throws.
    public func shutdown() async throws {
        try await transport.shutdown()
    }
}
