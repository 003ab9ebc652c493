import ConvoEmulator
import Foundation
import NIOHTTP1
import Testing

@Suite("error rendering")
struct ErrorRenderingTests {
    @Test("unknown paths answer 404 route_not_found as JSON, under a prefix and outside")
    func routeNotFound() async throws {
        try await EmulatorClient.with { client in
            for (dialect, path) in [(EmulatorDialect.agentflow, "/nope"), (.v2, "/agents/x/nothing"), (.knowrithm, "/conversations"), (.turns, "/"), (nil, "/elsewhere")] {
                let response = try await client.get(dialect, path)
                #expect(response.status == 404)
                #expect(response.errorCode == "route_not_found")
                #expect(try response.json["error"]?["message"]?.stringValue?.isEmpty == false)
            }
        }
    }

    @Test("bodies: malformed JSON is 400, wrong shapes are 422, over 1 MiB is 413")
    func bodyErrors() async throws {
        try await EmulatorClient.with { client in
            let agent = client.agentIDs[0]
            let cases: [(Data, Int, String)] = [
                (Data("{".utf8), 400, "invalid_request"),
                (Data("".utf8), 400, "invalid_request"),
                (Data("[1]".utf8), 422, "unprocessable"),
                (Data(#"{"agent_id": 7}"#.utf8), 422, "unprocessable"),
                (Data(#"{}"#.utf8), 422, "unprocessable"),
                (Data(#"{"agent_id": "\#(agent)", "extra": true}"#.utf8), 422, "unprocessable"),
                (Data(repeating: 0x20, count: (1 << 20) + 1), 413, "payload_too_large"),
            ]
            for (body, status, code) in cases {
                let response = try await client.send(.POST, .agentflow, "/conversations", body: body, contentType: "application/json")
                #expect(response.status == status)
                #expect(response.errorCode == code)
            }
        }
    }

    @Test("forged cursors and bad page sizes answer 400 invalid_request")
    func badPaging() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 30 }) { client in
            let page = try await client.get(.agentflow, "/conversations?limit=5").json
            let cursor = try #require(page["next_cursor"]?.stringValue)
            let v2 = try await client.get(.v2, "/agents/\(client.agentIDs[0])/conversations?limit=1").json
            let v2Token = try #require(v2["next"]?.stringValue)
            for query in ["cursor=abc", "cursor=\(cursor)x", "cursor=\(v2Token)", "limit=0", "limit=101", "limit=-5", "limit=2.5", "cursor=%00%01"] {
                let response = try await client.get(.agentflow, "/conversations?\(query)")
                #expect(response.status == 400, "\(query)")
                #expect(response.errorCode == "invalid_request")
            }
        }
    }
}

@Suite("method not allowed")
struct MethodNotAllowedTests {
    @Test("a method a known path does not serve, TRACE, OPTIONS and QUERY included, is 405 with Allow listing what it serves")
    func methodNotAllowedNamesAllowed() async throws {
        try await EmulatorClient.with { client in
            let cases: [(HTTPMethod, EmulatorDialect, String, String)] = [
                (.TRACE, .agentflow, "/agents", "GET"),
                (.OPTIONS, .agentflow, "/conversations", "GET, POST"),
                (.RAW(value: "QUERY"), .v2, "/agents", "GET"),
                (.PUT, .knowrithm, "/conversation/conv_0000000000000000", "DELETE"),
                (.GET, .knowrithm, "/conversation/conv_0000000000000000", "DELETE"),
                (.DELETE, .turns, "/agents/\(client.agentIDs[0])/conversations", "GET"),
            ]
            for (method, dialect, path, allowed) in cases {
                let response = try await client.send(method, dialect, path)
                #expect(response.status == 405, "\(method) \(path)")
                #expect(response.headers.first(name: "Allow") == allowed, "\(method) \(path)")
                #expect(response.errorCode == "invalid_request")
            }
        }
    }
}
