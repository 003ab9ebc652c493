import AsyncHTTPClient
import ConvoEmulator
import Foundation
import NIOHTTP1
import Testing

/// Every endpoint that names a conversation, per dialect, with a valid body.
struct EndpointCase: Sendable, CustomStringConvertible {
    var method: HTTPMethod
    var dialect: EmulatorDialect
    /// `{cid}` stands for the conversation id, `{aid}` for the caller's first agent.
    var path: String
    var body: JSON?

    var description: String { "\(dialect.rawValue) \(method) \(path)" }

    static let all: [EndpointCase] = [
        .init(method: .GET, dialect: .agentflow, path: "/conversations/{cid}"),
        .init(method: .PATCH, dialect: .agentflow, path: "/conversations/{cid}", body: .make(["title": "t"])),
        .init(method: .DELETE, dialect: .agentflow, path: "/conversations/{cid}"),
        .init(method: .POST, dialect: .agentflow, path: "/conversations/{cid}/messages", body: .make(["content": "c"])),
        .init(method: .POST, dialect: .agentflow, path: "/conversations/{cid}/stream", body: .make(["content": "c"])),
        .init(method: .POST, dialect: .agentflow, path: "/conversations/{cid}/runs/run_0000000000000000/cancel"),
        .init(method: .POST, dialect: .agentflow, path: "/conversations/{cid}/title", body: .make(["seed_message": "s", "force": true])),
        .init(method: .GET, dialect: .agentflow, path: "/conversations/{cid}/watch"),
        .init(method: .DELETE, dialect: .v2, path: "/agents/{aid}/conversations/{cid}"),
        .init(method: .GET, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/messages"),
        .init(method: .POST, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/messages", body: .make(["content": "c"])),
        .init(method: .POST, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/stream", body: .make(["content": "c"])),
        .init(method: .GET, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/files"),
        .init(method: .GET, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/files/download/?file_ref=file_0000000000000000"),
        .init(method: .GET, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/data-frames"),
        .init(method: .GET, dialect: .v2, path: "/agents/{aid}/conversations/{cid}/data-frames/report"),
        .init(method: .DELETE, dialect: .knowrithm, path: "/conversation/{cid}"),
        .init(method: .PATCH, dialect: .knowrithm, path: "/conversation/{cid}/restore"),
        .init(method: .GET, dialect: .knowrithm, path: "/conversation/{cid}/messages"),
        .init(method: .DELETE, dialect: .knowrithm, path: "/conversation/{cid}/messages"),
        .init(method: .PATCH, dialect: .knowrithm, path: "/conversation/{cid}/messages/restore"),
        .init(method: .POST, dialect: .knowrithm, path: "/conversation/{cid}/chat", body: .make(["message": "m"])),
        .init(method: .GET, dialect: .knowrithm, path: "/analytics/conversation/{cid}"),
    ]
}

@Suite("endpoint errors")
struct EndpointErrorsTests {
    @Test("every conversation endpoint answers 401 without a credential and 404 for another tenant's or an unknown conversation",
          arguments: EndpointCase.all)
    func conversationEndpoints(_ endpoint: EndpointCase) async throws {
        try await EmulatorClient.with { client in
            let foreign = try #require(try await client.get(.agentflow, "/conversations?limit=1", auth: .bearer("globex-key")).json["conversations"]?.arrayValue?.first?["id"]?.stringValue)
            func path(_ conversation: String) -> String {
                endpoint.path.replacingOccurrences(of: "{cid}", with: conversation).replacingOccurrences(of: "{aid}", with: client.agentIDs[0])
            }
            let unauthorized = try await client.send(endpoint.method, endpoint.dialect, path(foreign), json: endpoint.body, auth: .none)
            #expect(unauthorized.status == 401)
            #expect(unauthorized.errorCode == "unauthorized")
            for conversation in [foreign, "conv_0000000000000000"] {
                let response = try await client.send(endpoint.method, endpoint.dialect, path(conversation), json: endpoint.body)
                #expect(response.status == 404)
                #expect(response.errorCode == "conversation_not_found")
            }
            let globexTruth = try await client.truth("globex")
            #expect(globexTruth["conversations"]?.arrayValue?.first { $0["id"]?.stringValue == foreign }?["turns"]?.arrayValue?.isEmpty == false)
        }
    }
}
