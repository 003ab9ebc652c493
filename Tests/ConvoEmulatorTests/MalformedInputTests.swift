import AsyncHTTPClient
import ConvoEmulator
import Foundation
import NIOHTTP1
import Testing

/// A deterministic source of hostile requests.
struct MalformedRequests {
    struct Item: Sendable {
        var method: HTTPMethod
        var dialect: EmulatorDialect?
        var path: String
        var body: Data?
        var contentType: String?
        var headers: [(String, String)]
    }

    var random = SplitMix64(seed: 0xBAD)
    let agent: String
    let conversation: String

    mutating func int(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    mutating func bytes(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }

    mutating func hostileText() -> String {
        let pieces = ["../", "..\\", "\u{0}", "\u{1B}[31m", "%00", "'; DROP TABLE conversation; --", "\"", "\\u0000",
                      String(repeating: "é", count: 200), "\u{202E}", "/etc/passwd", "NUL", "*", "?", "#", "%"]
        return (0..<(1 + int(4))).map { _ in pieces[int(pieces.count)] }.joined()
    }

    mutating func badJSON() -> Data {
        let samples = ["{", "}", "[", "{\"agent_id\":", "{'agent_id': 'x'}", "nul", "{\"a\" 1}", "\u{FEFF}{", "{\"content\":\"x\"", "1e999999", "--"]
        return int(3) == 0 ? bytes(1 + int(200)) : Data(samples[int(samples.count)].utf8)
    }

    /// A body that must be refused: wrong types, an unknown field, or (when a field is
    /// required) nothing at all. Routes whose fields are all optional always get an unknown field.
    mutating func wrongShape(_ fields: [String], allOptional: Bool) -> Data {
        let values: [String] = ["1", "true", "null", "[]", "{}", "1.5", "[\"x\"]", "-7"]
        var members = fields.map { "\"\($0)\": \(values[int(values.count)])" }
        if allOptional || int(2) == 0 { members.append("\"\(["zzz", "Agent_ID", "content ", "__proto__"][int(4)])\": \"x\"") }
        if !allOptional, int(4) == 0 { members = [] }
        return Data(("{" + members.joined(separator: ",") + "}").utf8)
    }

    /// A bad value for one of the paging parameters the dialect reads.
    mutating func badPaging(_ parameters: [String]) -> String {
        let values = ["0", "101", "-1", "abc", "1e2", "", "99999999999999999999", "2.5"]
        let name = parameters[int(parameters.count)]
        switch name {
        case "cursor", "next": return "\(name)=\(forged())"
        case "offset": return "offset=" + ["-1", "x", "", "1.5"][int(4)]
        case "page": return "page=" + ["0", "-3", "x", ""][int(4)]
        default: return "\(name)=" + values[int(values.count)]
        }
    }

    mutating func forged() -> String {
        let options = [bytes(12).base64EncodedString(), "eyJ2IjoyfQ", "%FF%FE", String(repeating: "A", count: 600), "eyJ2IjoxLCJzIjoiYWYiLCJ0IjoiYSJ9"]
        return options[int(options.count)].addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
    }

    mutating func next() -> Item {
        let conv = conversation
        let agentPath = "/agents/\(agent)/conversations"
        switch int(12) {
        case 0:
            let targets: [(EmulatorDialect, String)] = [(.agentflow, "/conversations"), (.agentflow, "/conversations/\(conv)/messages"),
                (.v2, agentPath), (.knowrithm, "/conversation"), (.knowrithm, "/conversation/\(conv)/chat"), (.agentflow, "/conversations/\(conv)/title")]
            let target = targets[int(targets.count)]
            return Item(method: .POST, dialect: target.0, path: target.1, body: badJSON(), contentType: "application/json", headers: [])
        case 1:
            let targets: [(HTTPMethod, EmulatorDialect, String, [String])] = [
                (.POST, .agentflow, "/conversations", ["agent_id"]), (.PATCH, .agentflow, "/conversations/\(conv)", ["title"]),
                (.POST, .agentflow, "/conversations/\(conv)/messages", ["content"]), (.POST, .agentflow, "/conversations/\(conv)/title", ["seed_message", "force"]),
                (.POST, .v2, agentPath, ["name"]), (.POST, .knowrithm, "/conversation", ["agent_id", "title", "metadata"]),
                (.POST, .knowrithm, "/conversation/\(conv)/chat", ["message"]),
            ]
            let target = targets[int(targets.count)]
            let allOptional = target.2.hasSuffix("/title")
            return Item(method: target.0, dialect: target.1, path: target.2, body: wrongShape(target.3, allOptional: allOptional), contentType: "application/json", headers: [])
        case 2:
            let path = [(EmulatorDialect.agentflow, "/conversations"), (.v2, agentPath), (.knowrithm, "/conversation")][int(3)]
            let size = (1 << 20) + 1 + int(4096)
            return Item(method: .POST, dialect: path.0, path: path.1, body: Data(repeating: UInt8(ascii: " "), count: size), contentType: "application/json", headers: [])
        case 3:
            let listings: [(EmulatorDialect, String, [String])] = [(.agentflow, "/conversations", ["limit", "cursor"]), (.agentflow, "/conversations/search?q=a", ["limit", "cursor"]),
                (.v2, "/agents", ["limit", "next"]), (.v2, agentPath, ["limit", "next"]), (.knowrithm, "/conversation", ["page", "per_page"]),
                (.knowrithm, "/conversation/deleted", ["page", "per_page"]), (.turns, agentPath, ["limit", "offset"])]
            let listing = listings[int(listings.count)]
            let separator = listing.1.contains("?") ? "&" : "?"
            return Item(method: .GET, dialect: listing.0, path: listing.1 + separator + badPaging(listing.2), body: nil, contentType: nil, headers: [])
        case 4:
            let boundary = "b\(int(1000))"
            let name = hostileText().replacingOccurrences(of: "\"", with: "\\\"")
            let body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"files\"; filename=\"\(name)\"\r\n\r\n".utf8) + bytes(int(300)) + Data("\r\n--\(boundary)--\r\n".utf8)
            let missing = "conv_" + String(format: "%016llx", random.next())
            return Item(method: .POST, dialect: .v2, path: "\(agentPath)/\(missing)/files", body: body, contentType: "multipart/form-data; boundary=\(boundary)", headers: [])
        case 5:
            let contentTypes = ["multipart/form-data", "multipart/form-data; boundary=", "text/plain", "multipart/form-data; boundary=\(String(repeating: "x", count: 80))", "multipart/form-data; boundary=zz"]
            return Item(method: .POST, dialect: .v2, path: "\(agentPath)/\(conv)/files", body: bytes(int(500)), contentType: contentTypes[int(contentTypes.count)], headers: [])
        case 6:
            let segment = hostileText().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x"
            let paths: [(HTTPMethod, EmulatorDialect, String)] = [(.GET, .agentflow, "/conversations/\(segment)"), (.DELETE, .agentflow, "/conversations/\(segment)"),
                (.DELETE, .knowrithm, "/conversation/\(segment)"), (.PATCH, .knowrithm, "/message/\(segment)/restore"), (.GET, .v2, "\(agentPath)/\(conv)/files/download/?file_ref=\(segment)"),
                (.GET, .v2, "\(agentPath)/\(conv)/data-frames/\(segment)"), (.DELETE, .v2, "/agents/\(segment)/conversations/\(conv)")]
            let path = paths[int(paths.count)]
            return Item(method: path.0, dialect: path.1, path: path.2, body: nil, contentType: nil, headers: [])
        case 7:
            let keys = [String(repeating: "k", count: 256), "caf\u{E9}", ""]
            return Item(method: .DELETE, dialect: .agentflow, path: "/conversations/\(conv)", body: nil, contentType: nil, headers: [("Idempotency-Key", keys[int(keys.count)])])
        case 8:
            let auths: [[(String, String)]] = [[("Authorization", "Bearer")], [("Authorization", "Basic ZGV2LWtleQ==")], [("Authorization", "Bearer dev-key2")],
                [("Authorization", "Bearer  dev-key")], [("X-API-Key", "dev-key"), ("X-API-Secret", "dev-key")]]
            return Item(method: .DELETE, dialect: [.agentflow, .knowrithm, .v2][int(3)], path: "/conversations/\(conv)", body: nil, contentType: nil, headers: auths[int(auths.count)] + [("X-Test-Auth", "none")])
        case 9:
            let methods: [HTTPMethod] = [.PUT, .PATCH, .DELETE]
            return Item(method: methods[int(methods.count)], dialect: .turns, path: agentPath, body: bytes(int(64)), contentType: "application/json", headers: [])
        case 10:
            let params = ["num_samples=-1", "num_samples=101", "offset=-1", "limit=0", "output_format=xml", "column_names=,,", "order_by=%00"]
            return Item(method: .GET, dialect: .v2, path: "\(agentPath)/\(conv)/data-frames/report?\(params[int(params.count)])", body: nil, contentType: nil, headers: [])
        default:
            let watchIDs = ["-1", "abc", "1.5", "%00", "+1"]
            return Item(method: .GET, dialect: .agentflow, path: "/conversations/\(conv)/watch?last_event_id=\(watchIDs[int(watchIDs.count)])", body: nil, contentType: nil, headers: [])
        }
    }
}

@Suite("malformed input")
struct MalformedInputTests {
    @Test("thousands of malformed requests get 4xx JSON errors and leave the store unchanged")
    func malformedRequestsChangeNothing() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 40 }) { client in
            let agent = client.agentIDs[0]
            let listing = try await client.get(.v2, "/agents/\(agent)/conversations?limit=1").json
            let conversation = try #require(listing["items"]?.arrayValue?.first?["id"]?.stringValue)
            let before = try await client.truth().serialized()
            let beforeOther = try await client.truth("globex").serialized()
            var generator = MalformedRequests(agent: agent, conversation: conversation)
            let items = (0..<3000).map { _ in generator.next() }
            let results = try await withThrowingTaskGroup(of: [(Int, String?, String)].self) { group in
                for worker in 0..<6 {
                    group.addTask {
                        var results: [(Int, String?, String)] = []
                        for item in items.enumerated() where item.offset % 6 == worker {
                            let request = item.element
                            let auth: TestAuth = request.headers.contains { $0.0 == "X-Test-Auth" } ? .headers([]) : .defaultKey
                            let response = try await client.send(
                                request.method, request.dialect, request.path, body: request.body,
                                contentType: request.contentType, auth: auth, headers: request.headers)
                            results.append((response.status, response.errorCode, "\(request.method) \(request.path.prefix(80))"))
                        }
                        return results
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(results.count == 3000)
            let unexpected = results.filter { !(400..<500).contains($0.0) || $0.1 == nil }
            #expect(unexpected.isEmpty, "\(unexpected.prefix(5))")
            #expect(Set(results.map(\.0)).isSuperset(of: [400, 401, 404, 405, 413, 422]))
            #expect(try await client.truth().serialized() == before)
            #expect(try await client.truth("globex").serialized() == beforeOther)
            #expect(try await client.get(.agentflow, "/agents").status == 200)
        }
    }
}
