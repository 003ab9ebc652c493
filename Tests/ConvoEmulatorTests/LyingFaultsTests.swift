import ConvoEmulator
import Foundation
import NIOHTTP1
import Testing
import TestSupport

extension EmulatorClient {
    /// Replaces the faults in force through the admin route (snake_case keys).
    func putFaults(_ pairs: KeyValuePairs<String, JSON>) async throws {
        let response = try await send(.PUT, nil, "/_emulator/faults", json: .make(pairs), auth: .none)
        #expect(response.status == 200, "\(String(decoding: response.body, as: UTF8.self))")
    }
}

/// What the store holds for the default tenant, from the admin truth route.
struct Census {
    var active: [String] = []
    var deleted: [String] = []
    var activeByAgent: [String: Int] = [:]

    init(_ client: EmulatorClient) async throws {
        for conversation in try await client.truth()["conversations"]?.arrayValue ?? [] {
            guard let id = conversation["id"]?.stringValue, let agent = conversation["agent_id"]?.stringValue else { continue }
            if conversation["deleted_at"] == .null {
                active.append(id)
                activeByAgent[agent, default: 0] += 1
            } else {
                deleted.append(id)
            }
        }
    }

    /// The agent with the most active conversations.
    var busiestAgent: String { activeByAgent.max { $0.value < $1.value }?.key ?? "" }
}

/// Each fault that lies, driven over loopback: the lie is told exactly as specified, and
/// the response still matches the dialect's contract where the lie is well-formed for it.
@Suite("faults that lie")
struct LyingFaultsTests {
    static func seeded(_ configuration: inout EmulatorConfiguration) {
        configuration.generator.conversations = 60
    }

    static func items(_ json: JSON, _ key: String) -> [JSON] { json[key]?.arrayValue ?? [] }

    static func ids(_ json: JSON, _ key: String, id: String = "id") -> [String] {
        items(json, key).compactMap { $0[id]?.stringValue }
    }

    static func pages(_ total: Int, _ perPage: Int) -> JSON { .int(Int64((total + perPage - 1) / perPage)) }

    /// A v2 conversation with a data frame and its csv output file.
    static func reportConversation(_ client: EmulatorClient) async throws -> String {
        let agent = client.agentIDs[0]
        let created = try await client.send(.POST, .v2, "/agents/\(agent)/conversations", json: .make(["name": "Report"]))
        let id = try #require(try created.json["id"]?.stringValue)
        _ = try await client.send(.POST, .v2, "/agents/\(agent)/conversations/\(id)/messages", json: .make(["content": "Put the open opportunities in a table"]))
        return "/agents/\(agent)/conversations/\(id)"
    }

    @Test("empty_page_every: every k-th conversation listing, counted over all dialects, has no items, the true total and no next page")
    func emptyPageEvery() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let census = try await Census(client)
            let agent = census.busiestAgent
            try await client.putFaults(["empty_page_every": 2])
            // 1: told true.
            let first = try await client.get(.agentflow, "/conversations?limit=5").json
            #expect(Self.items(first, "conversations").count == 5)
            #expect(first["next_cursor"] != .null)
            // Other listings do not count.
            _ = try await client.get(.v2, "/agents")
            // 2: empty.
            let second = try await client.get(.agentflow, "/conversations?limit=5").json
            #expect(Self.items(second, "conversations").isEmpty)
            #expect(second["total"] == .int(Int64(census.active.count)))
            #expect(second["next_cursor"] == .null)
            // 3, 4: v2.
            #expect(Self.items(try await client.get(.v2, "/agents/\(agent)/conversations?limit=5").json, "items").count == 5)
            let v2 = try await client.get(.v2, "/agents/\(agent)/conversations?limit=5").json
            #expect(Self.items(v2, "items").isEmpty)
            #expect(v2["next"] == .null)
            // 5: knowrithm's deleted listing counts; 6: empty, with the requested page.
            #expect(try await client.get(.knowrithm, "/conversation/deleted").status == 200)
            let knowrithm = try await client.get(.knowrithm, "/conversation?page=2&per_page=5").json
            #expect(Self.items(knowrithm, "items").isEmpty)
            #expect(knowrithm["page"] == 2)
            #expect(knowrithm["total"] == .int(Int64(census.active.count)))
            #expect(knowrithm["pages"] == Self.pages(census.active.count, 5))
            // 7, 8: turns.
            #expect(Self.items(try await client.get(.turns, "/agents/\(agent)/conversations?limit=5").json, "conversations").count == 5)
            let turns = try await client.get(.turns, "/agents/\(agent)/conversations?limit=5").json
            #expect(Self.items(turns, "conversations").isEmpty)
            #expect(turns["pageInfo"]?["totalResultCount"] == .int(Int64(census.activeByAgent[agent] ?? 0)))
        }
    }

    @Test("short_page_every: the first half of the page, rounded down, and a claim that the listing ends there")
    func shortPageEvery() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let agent = try await Census(client).busiestAgent
            let agentflowPath = "/conversations?limit=5", v2Path = "/agents/\(agent)/conversations?limit=5"
            let knowrithmPath = "/conversation?page=2&per_page=5", turnsPath = "/agents/\(agent)/conversations?limit=5&offset=5"
            let honest = (
                agentflow: try await client.get(.agentflow, agentflowPath).json, v2: try await client.get(.v2, v2Path).json,
                knowrithm: try await client.get(.knowrithm, knowrithmPath).json, turns: try await client.get(.turns, turnsPath).json)
            try await client.putFaults(["short_page_every": 1])

            let agentflow = try await client.get(.agentflow, agentflowPath).json
            #expect(Self.items(agentflow, "conversations") == Array(Self.items(honest.agentflow, "conversations").prefix(2)))
            #expect(agentflow["total"] == honest.agentflow["total"])
            #expect(agentflow["next_cursor"] == .null)
            let v2 = try await client.get(.v2, v2Path).json
            #expect(Self.items(v2, "items") == Array(Self.items(honest.v2, "items").prefix(2)))
            #expect(v2["next"] == .null)
            let knowrithm = try await client.get(.knowrithm, knowrithmPath).json
            #expect(Self.items(knowrithm, "items") == Array(Self.items(honest.knowrithm, "items").prefix(2)))
            #expect(knowrithm["total"] == honest.knowrithm["total"])
            #expect(knowrithm["pages"] == 2)
            #expect(knowrithm["page"] == 2)
            let turns = try await client.get(.turns, turnsPath).json
            #expect(Self.items(turns, "conversations") == Array(Self.items(honest.turns, "conversations").prefix(2)))
            #expect(turns["pageInfo"] == honest.turns["pageInfo"])
            #expect(Self.items(try await client.get(.agentflow, "/conversations?limit=1").json, "conversations").isEmpty, "half of 1 is 0")
        }
    }

    /// Follows a cursor listing for four pages; returns the next tokens seen and the pages.
    static func follow(_ client: EmulatorClient, _ dialect: EmulatorDialect, _ path: String, parameter: String, next: String, items: String) async throws -> (tokens: [String?], pages: [[JSON]]) {
        var tokens: [String?] = []
        var pages: [[JSON]] = []
        var token: String?
        for index in 0..<4 {
            let separator = path.contains("?") ? "&" : "?"
            let body = try await client.get(dialect, index == 0 ? path : path + "\(separator)\(parameter)=\(token ?? "")").json
            pages.append(Self.items(body, items))
            token = body[next]?.stringValue
            tokens.append(token)
            if token == nil { break }
        }
        return (tokens, pages)
    }

    @Test("cursor_cycle: the third page's next cursor is the first page's, so cursors go A→B→A→B")
    func cursorCycle() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let agent = try await Census(client).busiestAgent
            let created = try await client.send(.POST, .v2, "/agents/\(agent)/conversations", json: .make(["name": "Cycle"]))
            let conversation = try #require(try created.json["id"]?.stringValue)
            for prompt in ["One", "Two", "Three"] {
                _ = try await client.send(.POST, .v2, "/agents/\(agent)/conversations/\(conversation)/messages", json: .make(["content": .string(prompt)]))
            }
            let listings: [(EmulatorDialect, String, String, String, String)] = [
                (.agentflow, "/conversations?limit=2", "cursor", "next_cursor", "conversations"),
                (.v2, "/agents/\(agent)/conversations?limit=2", "next", "next", "items"),
                // Six messages in three pages: the cycle holds on the last page too.
                (.v2, "/agents/\(agent)/conversations/\(conversation)/messages?limit=2", "next", "next", "items"),
            ]
            var honest: [[String?]] = []
            for (dialect, path, parameter, next, items) in listings {
                honest.append(try await Self.follow(client, dialect, path, parameter: parameter, next: next, items: items).tokens)
            }
            try await client.putFaults(["cursor_cycle": true])
            for ((dialect, path, parameter, next, items), truth) in zip(listings, honest) {
                let (tokens, pages) = try await Self.follow(client, dialect, path, parameter: parameter, next: next, items: items)
                #expect(tokens.count == 4, "\(path)")
                guard tokens.count == 4 else { continue }
                #expect(tokens[0] != nil && tokens[1] != nil && tokens[0] != tokens[1], "\(path)")
                #expect(tokens[2] == tokens[0], "\(path): the third page answers A")
                #expect(tokens[3] == tokens[1], "\(path): A leads to B again")
                #expect(pages[3] == pages[1], "\(path)")
                #expect(Array(tokens.prefix(2)) == Array(truth.prefix(2)), "\(path): the first pages tell the truth")
                #expect(truth.count < 3 || truth[2] != truth[0], "\(path): without the fault there is no cycle")
            }
        }
    }

    @Test("cursor_generation: a cursor issued under another generation is 400 invalid_request, expired")
    func cursorGeneration() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let agent = try await Census(client).busiestAgent
            let created = try await client.send(.POST, .v2, "/agents/\(agent)/conversations", json: .make(["name": "Expiry"]))
            let conversation = try #require(try created.json["id"]?.stringValue)
            _ = try await client.send(.POST, .v2, "/agents/\(agent)/conversations/\(conversation)/messages", json: .make(["content": "Hello"]))
            let listings: [(EmulatorDialect, String, String, String)] = [
                (.agentflow, "/conversations?limit=2", "cursor", "next_cursor"),
                (.v2, "/agents?limit=1", "next", "next"),
                (.v2, "/agents/\(agent)/conversations?limit=2", "next", "next"),
                (.v2, "/agents/\(agent)/conversations/\(conversation)/messages?limit=1", "next", "next"),
            ]
            func tokens() async throws -> [String] {
                var result: [String] = []
                for (dialect, path, _, next) in listings {
                    result.append(try #require(try await client.get(dialect, path).json[next]?.stringValue, "\(path)"))
                }
                return result
            }
            func statuses(_ tokens: [String], checkContract: Bool = true) async throws -> [TestResponse] {
                var result: [TestResponse] = []
                for ((dialect, path, parameter, _), token) in zip(listings, tokens) {
                    result.append(try await client.get(dialect, path + "&\(parameter)=\(token)", checkContract: checkContract))
                }
                return result
            }
            let old = try await tokens()
            #expect(try await statuses(old).map(\.status) == [200, 200, 200, 200])
            try await client.putFaults(["cursor_generation": 1])
            #expect(try await client.get(nil, "/_emulator/faults", auth: .none).json["cursor_generation"] == 1)
            for response in try await statuses(old) {
                #expect(response.status == 400)
                #expect(response.errorCode == "invalid_request")
                #expect(try response.json["error"]?["message"]?.stringValue?.contains("expired") == true)
            }
            let fresh = try await tokens()
            #expect(try await statuses(fresh).map(\.status) == [200, 200, 200, 200])
            try await client.putFaults([:])
            #expect(try await statuses(fresh).map(\.status) == [400, 400, 400, 400])
            #expect(try await statuses(old).map(\.status) == [200, 200, 200, 200])

            // expired_cursors_gone: the same refusal, as 410 Gone (a status the contract does
            // not document: the lie departs from it on purpose); a valid cursor still answers.
            try await client.putFaults(["cursor_generation": 2, "expired_cursors_gone": true])
            for response in try await statuses(old, checkContract: false) {
                #expect(response.status == 410)
                #expect(response.errorCode == "invalid_request")
            }
            #expect(try await statuses(try await tokens()).map(\.status) == [200, 200, 200, 200])
            #expect(try await client.get(.agentflow, "/conversations?limit=2&cursor=forged").status == 400)
        }
    }

    @Test("moving_total: every total is the true one plus the listing's number mod 3; knowrithm pages follow")
    func movingTotal() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let census = try await Census(client)
            let agent = census.busiestAgent
            let conversation = try await KnowrithmRoutesTests.newConversation(client)
            _ = try await client.send(.POST, .knowrithm, "/conversation/\(conversation)/chat", json: .make(["message": "Hello"]))
            try await client.putFaults(["moving_total": true])
            let active = census.active.count + 1
            #expect(try await client.get(.agentflow, "/conversations").json["total"] == .int(Int64(active + 1)))
            let knowrithm = try await client.get(.knowrithm, "/conversation?per_page=7").json
            #expect(knowrithm["total"] == .int(Int64(active + 2)))
            #expect(knowrithm["pages"] == Self.pages(active + 2, 7))
            let turns = try await client.get(.turns, "/agents/\(agent)/conversations").json
            let agentTotal = (census.activeByAgent[agent] ?? 0) + (agent == client.agentIDs[0] ? 1 : 0)
            #expect(turns["pageInfo"]?["totalResultCount"] == .int(Int64(agentTotal)))
            let messages = try await client.get(.knowrithm, "/conversation/\(conversation)/messages?per_page=1").json
            #expect(messages["total"] == 3)
            #expect(messages["pages"] == 3)
            #expect(Self.items(messages, "items").count == 1)
            #expect(try await client.get(.agentflow, "/conversations").json["total"] == .int(Int64(active + 2)), "listing 5")
        }
    }

    @Test("absurd_total: every total is 10^15, knowrithm pages accordingly, and it wins over a moving total")
    func absurdTotal() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let agent = try await Census(client).busiestAgent
            try await client.putFaults(["absurd_total": true, "moving_total": true])
            let absurd: JSON = 1_000_000_000_000_000
            #expect(try await client.get(.agentflow, "/conversations").json["total"] == absurd)
            let knowrithm = try await client.get(.knowrithm, "/conversation").json
            #expect(knowrithm["total"] == absurd)
            #expect(knowrithm["pages"] == 50_000_000_000_000)
            #expect(Self.items(knowrithm, "items").count == 20)
            #expect(try await client.get(.turns, "/agents/\(agent)/conversations").json["pageInfo"]?["totalResultCount"] == absurd)
        }
    }

    /// Checks a lying response against its contract once the fabricated parts are removed.
    static func expectConforms(_ client: EmulatorClient, _ dialect: EmulatorDialect, _ path: String, _ response: TestResponse, stripped: JSON) {
        let found = ContractCheck.violations(
            method: .GET, url: client.url(dialect, path), status: response.status, headers: response.headers, body: stripped.serialized())
        #expect(found?.violations == [], "\(dialect) \(path)")
    }

    /// `json` with the last element of the array at `key` removed.
    static func droppingLast(_ json: JSON, _ key: String) -> JSON {
        guard case .object(let members) = json else { return json }
        return .object(members.map { name, value in
            name == key ? (name, .array(Array((value.arrayValue ?? []).dropLast()))) : (name, value)
        })
    }

    @Test("hostile_ids: each listing page gains one fabricated item with a NUL, U+0001, 1,500-byte or empty id; the rest stays true")
    func hostileIDs() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let agent = try await Census(client).busiestAgent
            let report = try await Self.reportConversation(client)
            let knowrithmConversation = try await KnowrithmRoutesTests.newConversation(client)
            _ = try await client.send(.POST, .knowrithm, "/conversation/\(knowrithmConversation)/chat", json: .make(["message": "Hello"]))
            // (dialect, path, items key, id key), in listing order 1...9.
            let listings: [(EmulatorDialect, String, String, String)] = [
                (.agentflow, "/conversations?limit=5", "conversations", "id"),
                (.v2, "/agents/\(agent)/conversations?limit=5", "items", "id"),
                (.knowrithm, "/conversation?per_page=5", "items", "id"),
                (.turns, "/agents/\(agent)/conversations?limit=5", "conversations", "id"),
                (.v2, report + "/files", "files", "file_ref"),
                (.v2, report + "/data-frames", "data_frames", "name"),
                (.v2, report + "/messages", "items", "id"),
                (.v2, "/agents", "items", "id"),
                (.knowrithm, "/conversation/\(knowrithmConversation)/messages", "items", "id"),
            ]
            var honest: [JSON] = []
            for (dialect, path, _, _) in listings { honest.append(try await client.get(dialect, path).json) }
            try await client.putFaults(["hostile_ids": true])
            var hostile: [String] = []
            for (index, (dialect, path, key, idKey)) in listings.enumerated() {
                let response = try await client.get(dialect, path, checkContract: false)
                let body = try response.json
                let items = Self.items(body, key)
                let fabricated = try #require(items.last?[idKey]?.stringValue, "\(path)")
                hostile.append(fabricated)
                var stripped = Self.droppingLast(body, key)
                if dialect == .turns {
                    // The first true conversation gained a turn with the same hostile id; the fabricated one has none.
                    #expect(items.last?["turns"] == .array([]))
                    let turns = Self.items(items[0], "turns")
                    #expect(turns.last?["id"]?.stringValue == fabricated)
                    var conversations = Self.items(stripped, key)
                    conversations[0] = Self.droppingLast(conversations[0], "turns")
                    stripped = .object([(key, .array(conversations)), ("pageInfo", body["pageInfo"] ?? .null)])
                }
                #expect(stripped == honest[index], "\(path): everything else stays true")
                Self.expectConforms(client, dialect, path, response, stripped: stripped)
                switch index % 4 {
                case 0: #expect(fabricated.contains("\u{0}"), "\(path)")
                case 1: #expect(fabricated.contains("\u{1}"), "\(path)")
                case 2: #expect(fabricated.utf8.count == 1500, "\(path)")
                default: #expect(fabricated.isEmpty, "\(path)")
                }
            }
            func encoded(_ id: String) -> String { id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id }
            let reads: [(EmulatorDialect, String, String)] = [
                (.agentflow, "/conversations/\(encoded(hostile[0]))", "conversation_not_found"),
                (.v2, "/agents/\(agent)/conversations/\(encoded(hostile[1]))/messages", "conversation_not_found"),
                (.knowrithm, "/conversation/\(encoded(hostile[2]))/messages", "conversation_not_found"),
                (.v2, report + "/files/download/?file_ref=\(encoded(hostile[4]))", "file_not_found"),
                (.v2, report + "/data-frames/\(encoded(hostile[5]))", "data_frame_not_found"),
            ]
            for (dialect, path, code) in reads {
                let response = try await client.get(dialect, path, checkContract: false)
                #expect(response.status == 404, "\(path)")
                #expect(response.errorCode == code, "\(path)")
            }
        }
    }

    @Test("sse_hostile_ids: watch snapshot ids carry a control byte or 1,500 bytes, alternately; the data stays true")
    func sseHostileIDs() async throws {
        try await EmulatorClient.with { client in
            let id = try await WatchTests.newConversation(client)
            try await client.putFaults(["sse_hostile_ids": true])
            var updates: [TestEvent] = []
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch", checkContract: false) { event in
                guard !event.isComment else { return true }
                updates.append(event)
                if updates.count < 3 {
                    _ = try await client.send(.PATCH, .agentflow, "/conversations/\(id)", json: .make(["title": .string("Title \(updates.count)")]))
                }
                return updates.count < 3
            }
            #expect(updates.map(\.event) == ["conversation_update", "conversation_update", "conversation_update"])
            let eventIDs = updates.map { $0.id ?? "" }
            let first = try #require(eventIDs.first?.prefix { $0.isNumber })
            #expect(eventIDs[0] == String(first) + "\u{1}x")
            #expect(eventIDs[1].utf8.count == 1500)
            #expect(eventIDs[2].hasSuffix("\u{1}x"))
            #expect(try JSON.parse(Data(updates[2].data.utf8))["title"] == "Title 2")
            #expect(try JSON.parse(Data(updates[0].data.utf8))["id"]?.stringValue == id)
        }
    }

    @Test("sse_retry_zero: every event stream, watch and streamed replies, starts with retry: 0")
    func sseRetryZero() async throws {
        try await EmulatorClient.with { client in
            try await client.putFaults(["sse_retry_zero": true])
            let agentflow = try await WatchTests.newConversation(client)
            let (agent, v2) = try await V2RoutesTests.newConversation(client)
            let knowrithm = try await KnowrithmRoutesTests.newConversation(client)
            let streams: [(EmulatorDialect, String, JSON)] = [
                (.agentflow, "/conversations/\(agentflow)/stream", .make(["content": "Hello"])),
                (.v2, "/agents/\(agent)/conversations/\(v2)/stream", .make(["content": "Hello"])),
                (.knowrithm, "/conversation/\(knowrithm)/chat", .make(["message": "Hello"])),
            ]
            for (dialect, path, body) in streams {
                let response = try await client.send(.POST, dialect, path, json: body, headers: [("Accept", "text/event-stream")])
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self).hasPrefix("retry: 0\n\n"), "\(path)")
            }
            var first: TestEvent?
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(agentflow)/watch") { event in
                first = event
                return false
            }
            #expect(first?.isRetry == true)
            #expect(first?.data == "0")
        }
    }

    @Test("huge_sizes: file and data-frame listings claim 10^12 bytes and rows; downloads and rows stay true")
    func hugeSizes() async throws {
        try await EmulatorClient.with { client in
            let report = try await Self.reportConversation(client)
            let files = Self.items(try await client.get(.v2, report + "/files").json, "files")
            let frames = Self.items(try await client.get(.v2, report + "/data-frames").json, "data_frames")
            let file = try #require(files.first)
            let frame = try #require(frames.first)
            try await client.putFaults(["huge_sizes": true])
            let huge: JSON = 1_000_000_000_000
            #expect(Self.items(try await client.get(.v2, report + "/files").json, "files").map { $0["size"] } == files.map { _ in huge })
            #expect(Self.items(try await client.get(.v2, report + "/data-frames").json, "data_frames").map { $0["row_count"] } == frames.map { _ in huge })
            let ref = try #require(file["file_ref"]?.stringValue)
            let download = try await client.get(.v2, report + "/files/download/?file_ref=\(ref)")
            #expect(.int(Int64(download.body.count)) == file["size"])
            let name = try #require(frame["name"]?.stringValue)
            let rows = try await client.get(.v2, report + "/data-frames/\(name)?limit=100").json
            #expect(rows["row_count"] == frame["row_count"])
            let rowCount = try #require(frame["row_count"]?.intValue)
            #expect(Self.items(rows, "rows").count == min(100, Int(rowCount)))
        }
    }

    @Test("missing_routes: each named optional route answers 404 route_not_found as an undeclared path does; the rest serve")
    func missingRoutes() async throws {
        try await EmulatorClient.with(Self.seeded) { client in
            let agent = client.agentIDs[0]
            let report = try await Self.reportConversation(client)
            let conversation = try await WatchTests.newConversation(client)
            let names = FaultConfiguration.optionalRouteNames.sorted()
            #expect(names == ["agents", "analytics", "data_frames", "deleted_listing", "entity_listing", "files", "search", "title", "watch"])
            let rejected = try await client.send(.PUT, nil, "/_emulator/faults", json: .make(["missing_routes": .array(["watch", "conversations"])]), auth: .none)
            #expect(rejected.status == 422)
            try await client.putFaults(["missing_routes": .array(names.map(JSON.string))])
            #expect(try await client.get(nil, "/_emulator/faults", auth: .none).json["missing_routes"] == .array(names.map(JSON.string)))
            let missing: [(HTTPMethod, EmulatorDialect, String, JSON?)] = [
                (.GET, .agentflow, "/conversations/\(conversation)/watch", nil),
                (.GET, .agentflow, "/conversations/search?q=budget", nil),
                (.GET, .agentflow, "/agents", nil),
                (.GET, .v2, "/agents", nil),
                (.GET, .v2, report + "/files", nil),
                (.POST, .v2, report + "/files", .make(["files": "x"])),
                (.GET, .v2, report + "/files/download/?file_ref=file_0000000000000000", nil),
                (.GET, .v2, report + "/data-frames", nil),
                (.GET, .v2, report + "/data-frames/report", nil),
                (.POST, .agentflow, "/conversations/\(conversation)/title", .make(["force": true])),
                (.GET, .knowrithm, "/analytics/conversation/\(conversation)", nil),
                (.GET, .knowrithm, "/conversation/deleted", nil),
                (.GET, .knowrithm, "/conversation/entity", nil),
            ]
            for (method, dialect, path, body) in missing {
                let response = try await client.send(method, dialect, path, json: body, checkContract: false)
                #expect(response.status == 404, "\(method) \(path)")
                #expect(response.errorCode == "route_not_found", "\(method) \(path)")
                // Exactly what a path the contract does not declare answers.
                let undeclared = ContractCheck.violations(
                    method: method, url: client.url(dialect, "/no-such-route"), status: response.status, headers: response.headers, body: response.body)
                #expect(undeclared?.violations == [], "\(method) \(path)")
            }
            #expect(try await client.get(.agentflow, "/conversations").status == 200)
            #expect(try await client.get(.v2, "/agents/\(agent)/conversations").status == 200)
            #expect(try await client.get(.knowrithm, "/conversation").status == 200)
            #expect(try await client.get(.agentflow, "/conversations/\(conversation)").status == 200)
        }
    }

    @Test("retry_after_seconds 0 sends Retry-After: 0")
    func retryAfterZero() async throws {
        try await EmulatorClient.with { client in
            try await client.putFaults(["rate_limit_rate": 1, "retry_after_seconds": 0])
            let limited = try await client.get(.agentflow, "/agents")
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers.first(name: "Retry-After") == "0")
        }
    }

    @Test("every lie is off by default, turns isActive on alone, and round-trips through the admin route")
    func configurationAndAdminKeys() async throws {
        #expect(!FaultConfiguration().isActive)
        var lies: [FaultConfiguration] = []
        func with(_ change: (inout FaultConfiguration) -> Void) { var faults = FaultConfiguration(); change(&faults); lies.append(faults) }
        with { $0.emptyPageEvery = 3 }
        with { $0.shortPageEvery = 3 }
        with { $0.cursorCycle = true }
        with { $0.cursorGeneration = 2 }
        with { $0.expiredCursorsGone = true }
        with { $0.movingTotal = true }
        with { $0.absurdTotal = true }
        with { $0.hostileIDs = true }
        with { $0.sseHostileIDs = true }
        with { $0.sseRetryZero = true }
        with { $0.hugeSizes = true }
        with { $0.missingRoutes = ["watch"] }
        #expect(lies.allSatisfy { $0.isActive })

        try await EmulatorClient.with { client in
            let defaults = try await client.get(nil, "/_emulator/faults", auth: .none).json
            #expect(defaults["empty_page_every"] == .null && defaults["short_page_every"] == .null)
            #expect(defaults["cursor_generation"] == 0 && defaults["missing_routes"] == .array([]))
            for key in ["cursor_cycle", "expired_cursors_gone", "moving_total", "absurd_total", "hostile_ids", "sse_hostile_ids", "sse_retry_zero", "huge_sizes"] {
                #expect(defaults[key] == false, "\(key)")
            }
            let all: JSON = .make([
                "empty_page_every": 4, "short_page_every": 5, "cursor_cycle": true, "cursor_generation": 6, "expired_cursors_gone": true, "moving_total": true,
                "absurd_total": true, "hostile_ids": true, "sse_hostile_ids": true, "sse_retry_zero": true, "huge_sizes": true,
                "missing_routes": .array(["title", "analytics"]),
            ])
            #expect(try await client.send(.PUT, nil, "/_emulator/faults", json: all, auth: .none).status == 200)
            let read = try await client.get(nil, "/_emulator/faults", auth: .none).json
            for (key, value) in all.members {
                let expected = key == "missing_routes" ? JSON.array(["analytics", "title"]) : value
                #expect(read[key] == expected, "\(key)")
            }
            let faults = client.emulator.emulator.faults.configuration
            #expect(faults.emptyPageEvery == 4 && faults.shortPageEvery == 5 && faults.cursorGeneration == 6)
            #expect(faults.cursorCycle && faults.expiredCursorsGone && faults.movingTotal && faults.absurdTotal && faults.hostileIDs)
            #expect(faults.sseHostileIDs && faults.sseRetryZero && faults.hugeSizes && faults.missingRoutes == ["analytics", "title"])
        }
    }
}

extension JSON {
    /// The members of an object, in order (empty for anything else).
    var members: [(String, JSON)] {
        if case .object(let members) = self { return members }
        return []
    }
}
