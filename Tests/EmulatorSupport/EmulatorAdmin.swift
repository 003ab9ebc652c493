import ConvoEmulator
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Changes the emulator's data the way an operator would, through its loopback-only
/// `/_emulator` admin routes (the emulator must run with `adminEnabled`): what tests use to
/// make "the remote changed" happen between two syncs.
public struct EmulatorAdmin: Sendable {
    /// The emulator's origin, e.g. `http://127.0.0.1:51234`.
    public let origin: String
    /// The tenant the mutations apply to.
    public let tenant: String

    /// An admin client for `emulator`'s default tenant.
    public init(_ emulator: RunningEmulator) {
        origin = emulator.addresses.origin
        tenant = emulator.addresses.tenant
    }

    /// Creates a conversation; returns its id.
    @discardableResult
    public func createConversation(agentID: String, title: String?) async throws -> String {
        var body: [String: Any] = ["agent_id": agentID]
        if let title { body["title"] = title }
        let object = try await send("POST", "/tenants/\(tenant)/conversations", body: body)
        guard let id = object["id"] as? String else { throw HarnessError("the admin create answered without an id") }
        return id
    }

    /// Appends a user message and the agent's reply; returns both message ids.
    @discardableResult
    public func append(to conversationID: String, content: String) async throws -> (user: String, assistant: String) {
        let object = try await send("POST", "/tenants/\(tenant)/conversations/\(conversationID)/turns", body: ["content": content])
        guard let user = object["user_message_id"] as? String, let assistant = object["assistant_message_id"] as? String
        else { throw HarnessError("the admin append answered without message ids") }
        return (user, assistant)
    }

    /// Sets a conversation's title.
    public func rename(_ conversationID: String, to title: String) async throws {
        _ = try await send("PATCH", "/tenants/\(tenant)/conversations/\(conversationID)", body: ["title": title])
    }

    /// Soft-deletes a conversation (visible as deleted in knowrithm, gone elsewhere).
    public func softDelete(_ conversationID: String) async throws {
        _ = try await send("POST", "/tenants/\(tenant)/conversations/\(conversationID)/delete", body: nil)
    }

    /// Restores a soft-deleted conversation.
    public func restore(_ conversationID: String) async throws {
        _ = try await send("POST", "/tenants/\(tenant)/conversations/\(conversationID)/restore", body: nil)
    }

    /// Deletes a conversation for good.
    public func hardDelete(_ conversationID: String) async throws {
        _ = try await send("DELETE", "/tenants/\(tenant)/conversations/\(conversationID)", body: nil)
    }

    private func send(_ method: String, _ path: String, body: [String: Any]?) async throws -> [String: Any] {
        guard let url = URL(string: origin + "/_emulator" + path) else { throw HarnessError("bad admin URL") }
        var request = URLRequest(url: url)
        request.httpMethod = method
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw HarnessError("admin \(method) \(path) answered \(status): \(String(decoding: data, as: UTF8.self))")
        }
        guard !data.isEmpty else { return [:] }
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}
