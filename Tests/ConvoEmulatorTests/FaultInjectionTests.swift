import AsyncHTTPClient
import ConvoEmulator
import Foundation
import Testing

@Suite("fault injection")
struct FaultInjectionTests {
    @Test("a 5xx rate answers 503 unavailable; admin routes are spared")
    func serverErrors() async throws {
        try await EmulatorClient.with({ $0.faults.serverErrorRate = 1 }) { client in
            let response = try await client.get(.agentflow, "/agents")
            #expect(response.status == 503)
            #expect(response.errorCode == "unavailable")
            #expect(try await client.get(nil, "/_emulator/faults").status == 200)
        }
    }

    @Test("a 429 rate answers rate_limited with Retry-After, and faults change at runtime")
    func rateLimited() async throws {
        try await EmulatorClient.with { client in
            #expect(try await client.get(.turns, "/agents/\(client.agentIDs[0])/conversations").status == 200)
            let set = try await client.send(.PUT, nil, "/_emulator/faults", json: .make(["rate_limit_rate": 1, "retry_after_seconds": 7]), auth: .none)
            #expect(set.status == 200)
            let limited = try await client.get(.turns, "/agents/\(client.agentIDs[0])/conversations")
            #expect(limited.status == 429)
            #expect(limited.errorCode == "rate_limited")
            #expect(limited.headers.first(name: "retry-after") == "7")
            _ = try await client.send(.PUT, nil, "/_emulator/faults", json: .make([:]), auth: .none)
            #expect(try await client.get(.turns, "/agents/\(client.agentIDs[0])/conversations").status == 200)
        }
    }

    @Test("rates are deterministic for a fault seed")
    func deterministicDecisions() async throws {
        func statuses() async throws -> [Int] {
            var result: [Int] = []
            try await EmulatorClient.with({ $0.faults.serverErrorRate = 0.5; $0.faults.seed = 9 }) { client in
                for _ in 0..<20 { result.append(try await client.get(.agentflow, "/agents").status) }
            }
            return result
        }
        let first = try await statuses()
        #expect(first == (try await statuses()))
        #expect(first.contains(200) && first.contains(503))
    }

    @Test("added latency delays each answer by at least the configured time")
    func latency() async throws {
        try await EmulatorClient.with({ $0.faults.latency = .milliseconds(150) }) { client in
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.get(.agentflow, "/agents")
            #expect(response.status == 200)
            #expect(clock.now - start >= .milliseconds(150))
        }
    }

    @Test("a cut body closes the connection before the declared length")
    func cutBody() async throws {
        try await EmulatorClient.with({ $0.faults.cutBodyRate = 1; $0.generator.conversations = 20 }) { client in
            await #expect(throws: (any Error).self) {
                _ = try await client.get(.agentflow, "/conversations?limit=20")
            }
        }
    }

    @Test("a stream cut after N events ends early and the reply is stored as error")
    func cutStream() async throws {
        try await EmulatorClient.with({ $0.faults.cutStreamAfterEvents = 3 }) { client in
            let id = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])])).json["id"]?.stringValue)
            var events: [TestEvent] = []
            let result = try await client.stream(.POST, .agentflow, "/conversations/\(id)/stream", json: .make(["content": "Tell me about the mobile release"])) { event in
                events.append(event)
                return true
            }
            #expect(!result.completed)
            #expect(events.count == 3)
            let truth = try await client.truth()
            let turns = truth["conversations"]?.arrayValue?.first { $0["id"]?.stringValue == id }?["turns"]?.arrayValue
            #expect(turns?.last?["state"] == "error")
            #expect(turns?.last?["error_detail"]?.stringValue?.isEmpty == false)
        }
    }

    @Test("duplicated events arrive twice each")
    func duplicates() async throws {
        try await EmulatorClient.with({ $0.faults.duplicateEvents = true }) { client in
            let id = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])])).json["id"]?.stringValue)
            var events: [TestEvent] = []
            _ = try await client.stream(.GET, .agentflow, "/conversations/\(id)/watch") { event in
                events.append(event)
                return events.count < 2
            }
            #expect(events.count == 2)
            #expect(events[0] == events[1])
            #expect(events[0].id != nil)
        }
    }

    @Test("under churn a cursor pass still sees every conversation that existed throughout")
    func churnCursorPass() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 300; $0.faults.churnEvery = 1 }) { client in
            let agent = client.agentIDs[0]
            let before = Set(try await Self.activeIDs(client, agent: nil))
            let beforeAgent = Set(try await Self.activeIDs(client, agent: agent))
            var agentflowSeen: Set<String> = []
            var cursor: String?
            repeat {
                let page = try await client.get(.agentflow, "/conversations?limit=25" + (cursor.map { "&cursor=\($0)" } ?? "")).json
                agentflowSeen.formUnion(page["conversations"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
                cursor = page["next_cursor"]?.stringValue
            } while cursor != nil
            var v2Seen: Set<String> = []
            var next: String?
            repeat {
                let page = try await client.get(.v2, "/agents/\(agent)/conversations?limit=10" + (next.map { "&next=\($0)" } ?? "")).json
                v2Seen.formUnion(page["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
                next = page["next"]?.stringValue
            } while next != nil
            let after = Set(try await Self.activeIDs(client, agent: nil))
            let afterAgent = Set(try await Self.activeIDs(client, agent: agent))
            #expect(before != after)
            #expect(before.intersection(after).isSubset(of: agentflowSeen))
            #expect(beforeAgent.intersection(afterAgent).isSubset(of: v2Seen))
        }
    }

    @Test("under churn an offset pass keeps its total yet skips conversations that existed throughout")
    func churnOffsetPass() async throws {
        try await EmulatorClient.with({ $0.generator.conversations = 120; $0.faults.churnEvery = 2 }) { client in
            let before = Set(try await Self.activeIDs(client, agent: nil))
            var totals: Set<Int64> = []
            var seen: Set<String> = []
            var page = 1
            var pages = 1
            repeat {
                let body = try await client.get(.knowrithm, "/conversation?page=\(page)&per_page=20").json
                totals.insert(body["total"]?.intValue ?? -1)
                seen.formUnion(body["items"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? [])
                pages = Int(body["pages"]?.intValue ?? 0)
                page += 1
            } while page <= pages
            let after = Set(try await Self.activeIDs(client, agent: nil))
            // One insert and one delete per churn keep the total: only overlap checks reveal the shift.
            #expect(totals.count == 1)
            #expect(!before.intersection(after).isSubset(of: seen))
        }
    }

    static func activeIDs(_ client: EmulatorClient, agent: String?) async throws -> [String] {
        (try await client.truth()["conversations"]?.arrayValue ?? [])
            .filter { $0["deleted_at"] == .null && (agent == nil || $0["agent_id"]?.stringValue == agent) }
            .compactMap { $0["id"]?.stringValue }
    }
}
