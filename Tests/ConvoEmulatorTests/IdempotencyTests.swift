import ConvoEmulator
import Foundation
import Testing

@Suite("idempotency keys")
struct IdempotencyTests {
    @Test("a repeated key replays the first response and creates nothing new")
    func replay() async throws {
        try await EmulatorClient.with { client in
            let body = JSON.make(["agent_id": .string(client.agentIDs[0])])
            let before = try await client.truth()["conversations"]?.arrayValue?.count ?? 0
            let first = try await client.send(.POST, .agentflow, "/conversations", json: body, headers: [("Idempotency-Key", "create-1")])
            let second = try await client.send(.POST, .agentflow, "/conversations", json: body, headers: [("Idempotency-Key", "create-1")])
            #expect(first.status == 201 && second.status == 201)
            #expect(first.body == second.body)
            #expect(first.headers.first(name: "Idempotent-Replayed") == nil)
            #expect(second.headers.first(name: "Idempotent-Replayed") == "true")
            let after = try await client.truth()["conversations"]?.arrayValue?.count ?? 0
            #expect(after == before + 1)
            let otherCaller = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": "agent_x"]), auth: .bearer("globex-key"), headers: [("Idempotency-Key", "create-1")])
            #expect(otherCaller.errorCode == "agent_not_found")
        }
    }

    @Test("reusing a key for another body, path or method is 422 idempotency_conflict")
    func conflict() async throws {
        try await EmulatorClient.with { client in
            let agent = client.agentIDs[0]
            _ = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(agent)]), headers: [("Idempotency-Key", "k")])
            let otherBody = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[1])]), headers: [("Idempotency-Key", "k")])
            #expect(otherBody.status == 422)
            #expect(otherBody.errorCode == "idempotency_conflict")
            let id = try #require(try await client.get(.agentflow, "/conversations?limit=1").json["conversations"]?.arrayValue?.first?["id"]?.stringValue)
            let otherPath = try await client.send(.DELETE, .agentflow, "/conversations/\(id)", headers: [("Idempotency-Key", "k")])
            #expect(otherPath.errorCode == "idempotency_conflict")
            #expect(try await client.get(.agentflow, "/conversations/\(id)").status == 200)
            for key in [String(repeating: "a", count: 256), "tab\tkey", "é"] {
                let invalid = try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(agent)]), headers: [("Idempotency-Key", key)])
                #expect(invalid.status == 400)
            }
        }
    }

    @Test("a replayed stream returns the same events, and the reply is stored once")
    func streamReplay() async throws {
        try await EmulatorClient.with { client in
            let id = try #require(try await client.send(.POST, .v2, "/agents/\(client.agentIDs[0])/conversations", json: .make(["name": "n"])).json["id"]?.stringValue)
            let path = "/agents/\(client.agentIDs[0])/conversations/\(id)/stream"
            var runs: [[TestEvent]] = []
            for _ in 0..<2 {
                var events: [TestEvent] = []
                _ = try await client.stream(.POST, .v2, path, json: .make(["content": "hello"]), headers: [("Idempotency-Key", "stream-1")]) { event in
                    events.append(event)
                    return true
                }
                runs.append(events)
            }
            #expect(runs[0] == runs[1])
            #expect(runs[0].last?.event == "done")
            let messages = try await client.get(.v2, "/agents/\(client.agentIDs[0])/conversations/\(id)/messages").json["items"]?.arrayValue
            #expect(messages?.count == 2)
        }
    }

    @Test("a reply stream cut midway keeps no replay record by default: a repeat runs again; what the first stored stays")
    func cutStreamIsNotReplayedByDefault() async throws {
        try await EmulatorClient.with { client in
            #expect(client.emulator.emulator.configuration.replayCutStreams == false)
            let (first, repeated, messages) = try await Self.cutThenRepeat(client)
            #expect(!first.completed)
            #expect(repeated.headers.first(name: "Idempotent-Replayed") == nil)
            var parser = TestEventParser()
            #expect(parser.feed(repeated.body).last?.event == "done", "the repeat ran as a new request, to its end")
            // Both attempts stored their user turn: the message was sent twice.
            #expect(messages.filter { $0["role"]?.stringValue == "user" }.count == 2)
            #expect(messages.count == 4)
        }
    }

    @Test("with replayCutStreams a repeat of a cut reply stream replays what was sent, and runs nothing again")
    func cutStreamIsReplayedWhenLenient() async throws {
        try await EmulatorClient.with({ $0.replayCutStreams = true }) { client in
            let (first, repeated, messages) = try await Self.cutThenRepeat(client)
            #expect(!first.completed)
            #expect(repeated.headers.first(name: "Idempotent-Replayed") == "true")
            var parser = TestEventParser()
            let replayed = parser.feed(repeated.body)
            #expect(replayed.count == 2, "the two events sent before the cut")
            #expect(replayed.last?.event != "done")
            #expect(messages.filter { $0["role"]?.stringValue == "user" }.count == 1)
            #expect(messages.count == 2)
        }
    }

    /// Streams a message with the stream cut after two events, then repeats it under the same
    /// key with no fault; returns the first stream's end, the repeat, and the messages stored.
    private static func cutThenRepeat(_ client: EmulatorClient) async throws
        -> (first: (status: Int, completed: Bool), repeated: TestResponse, messages: [JSON])
    {
        let agent = client.agentIDs[0]
        let id = try #require(
            try await client.send(.POST, .v2, "/agents/\(agent)/conversations", json: .make(["name": "n"])).json["id"]?.stringValue)
        let path = "/agents/\(agent)/conversations/\(id)/stream"
        var faults = FaultConfiguration()
        faults.cutStreamAfterEvents = 2
        client.emulator.emulator.faults.update(faults)
        let first = try await client.stream(
            .POST, .v2, path, json: .make(["content": "Only once"]), headers: [("Idempotency-Key", "cut-1")]) { _ in true }
        client.emulator.emulator.faults.update(FaultConfiguration())
        let repeated = try await client.send(
            .POST, .v2, path, json: .make(["content": "Only once"]), headers: [("Idempotency-Key", "cut-1")])
        let messages = try await client.get(.v2, "/agents/\(agent)/conversations/\(id)/messages").json["items"]?.arrayValue ?? []
        return (first, repeated, messages)
    }

    @Test("a repeat sent while the first request is still streaming waits and replays it")
    func concurrentRepeatWaits() async throws {
        try await EmulatorClient.with({ $0.deltaInterval = .milliseconds(5) }) { client in
            let agent = client.agentIDs[0]
            let id = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(agent)])).json["id"]?.stringValue)
            let prompt = JSON.make(["content": "Compare the Q3 pipeline"])
            var first: [TestEvent] = []
            var repeated: TestResponse?
            _ = try await client.stream(.POST, .agentflow, "/conversations/\(id)/stream", json: prompt, headers: [("Idempotency-Key", "slow-1")]) { event in
                first.append(event)
                if event.event == "run_started" {
                    // The first request is mid-stream: its repeat must wait for it, then replay.
                    async let retry = client.send(.POST, .agentflow, "/conversations/\(id)/stream", json: prompt, headers: [("Idempotency-Key", "slow-1")])
                    repeated = try await retry
                }
                return true
            }
            let replay = try #require(repeated)
            #expect(replay.headers.first(name: "Idempotent-Replayed") == "true")
            var parser = TestEventParser()
            #expect(parser.feed(replay.body) == first)
            let read = try await client.get(.agentflow, "/conversations/\(id)").json
            #expect(read["message_count"] == 2)
        }
    }
}
