import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation
import Logging

/// A running emulator as the benchmark's client processes see it: where it listens, its
/// tenant's agents and its process (for the server's CPU time).
struct Remote: Sendable {
    let origin: String
    let agentIDs: [String]
    let serverPID: Int32?
    /// The defaults the emulator was started with (tenant, key, secret).
    let defaults = EmulatorConfiguration()

    /// The account an app would configure for `dialect` on this emulator.
    func account(_ dialect: Dialect) throws -> RemoteAccount {
        guard let emulatorDialect = EmulatorDialect(rawValue: dialect.rawValue),
            let baseURL = URL(string: origin + emulatorDialect.basePath(tenant: defaults.tenant))
        else { throw BenchmarkFailure("no base URL for \(dialect.rawValue) at \(origin)") }
        let credentials: Credentials =
            dialect == .knowrithm ? .apiKey(defaults.apiKey, secret: defaults.apiSecret) : .bearer(defaults.apiKey)
        return RemoteAccount(
            baseURL: baseURL, dialect: dialect, tenant: dialect == .v2 ? defaults.tenant : nil, agentIDs: agentIDs,
            credentials: credentials)
    }

    /// The binding of a replica synced from `dialect` here; the same in every process.
    func binding(_ dialect: Dialect) throws -> AccountBinding {
        let account = try account(dialect)
        return AccountBinding(baseURL: account.baseURL.absoluteString, tenant: account.tenant, dialect: dialect)
    }

    /// A transport for the emulator's admin routes (`/_emulator`), which take no credentials.
    func adminTransport(logger: Logger) throws -> HTTPTransport {
        guard let url = URL(string: origin + "/_emulator") else { throw BenchmarkFailure("bad origin \(origin)") }
        return HTTPTransport(baseURL: url, credentials: nil, logger: logger)
    }
}

/// Changes the emulator's data the way another client would, through its admin routes.
struct Admin: Sendable {
    let transport: HTTPTransport
    let tenant: String

    /// Appends an exchange (a user turn and its finished reply); returns the two message ids.
    func append(to conversationID: String, content: String) async throws -> (user: String, assistant: String) {
        var request = RemoteRequest(
            .post, "/tenants/{tenant}/conversations/{id}/turns", parameters: ["tenant": tenant, "id": conversationID])
        try request.setJSONBody(["content": content])
        let object = try JSONSerialization.jsonObject(with: try await transport.send(request).data) as? [String: Any]
        guard let user = object?["user_message_id"] as? String, let assistant = object?["assistant_message_id"] as? String
        else { throw BenchmarkFailure("the admin append answered without message ids") }
        return (user, assistant)
    }

    /// Renames a conversation.
    func rename(_ conversationID: String, to title: String) async throws {
        var request = RemoteRequest(
            .patch, "/tenants/{tenant}/conversations/{id}", parameters: ["tenant": tenant, "id": conversationID])
        try request.setJSONBody(["title": title])
        _ = try await transport.send(request)
    }

    /// Creates a conversation for `agentID`; returns its id.
    func create(agentID: String, title: String) async throws -> String {
        var request = RemoteRequest(.post, "/tenants/{tenant}/conversations", parameters: ["tenant": tenant])
        try request.setJSONBody(["agent_id": agentID, "title": title])
        let object = try JSONSerialization.jsonObject(with: try await transport.send(request).data) as? [String: Any]
        guard let id = object?["id"] as? String else { throw BenchmarkFailure("the admin create answered without an id") }
        return id
    }
}

/// A benchmark that cannot go on, with why.
struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
