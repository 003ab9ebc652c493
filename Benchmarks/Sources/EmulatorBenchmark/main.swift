import ConvoEmulator
import ConvoModel
import ConvoRemote
import Foundation
import Logging

/// How fast the emulator serves what a sync asks of it, over real loopback HTTP:
/// full listing passes of 100-item pages per dialect (pages/s, MB/s, median of runs),
/// and the SSE delta throughput of one streamed reply. Prints `name value unit` lines.
///
///     EmulatorBenchmark [CONVERSATIONS] [RUNS]
let conversations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
let runs = CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 5
let logger = Logger(label: "convosync.benchmarks.emulator")

func report(_ name: String, _ value: Double, _ unit: String) {
    print(String(format: "%@ %.3f %@", name, value, unit))
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

var configuration = EmulatorConfiguration()
configuration.generator.conversations = conversations
configuration.generator.turns = 10
configuration.deltaInterval = .zero

let seedStart = ContinuousClock.now
try await withEmulator(configuration, logger: logger) { emulator in
    report("emulator.seed_seconds", (ContinuousClock.now - seedStart).seconds, "s")
    let tenant = emulator.emulator.configuration.tenant
    let key = emulator.emulator.configuration.apiKey

    for dialect in EmulatorDialect.allCases {
        guard let baseURL = URL(string: emulator.baseURL(dialect)) else { continue }
        let credentials: Credentials =
            dialect == .knowrithm ? .apiKey(key, secret: emulator.emulator.configuration.apiSecret) : .bearer(key)
        let transport = HTTPTransport(baseURL: baseURL, credentials: credentials, logger: logger)
        var pageRates: [Double] = []
        var byteRates: [Double] = []
        for _ in 0..<runs {
            var pages = 0
            var bytes = 0
            let start = ContinuousClock.now
            switch dialect {
            case .agentflow, .v2:
                let scopes = dialect == .v2 ? emulator.addresses.agentIDs : [""]
                for agent in scopes {
                    var cursor: String?
                    repeat {
                        let route = dialect == .v2 ? "/agents/{aid}/conversations" : "/conversations"
                        let cursorName = dialect == .v2 ? "next" : "cursor"
                        let response = try await transport.send(
                            RemoteRequest(.get, route, parameters: ["aid": agent],
                                query: [.init("limit", "100"), .init(cursorName, cursor)]))
                        pages += 1
                        bytes += response.body.readableBytes
                        let object = try JSONSerialization.jsonObject(with: response.data) as? [String: Any]
                        cursor = object?[dialect == .v2 ? "next" : "next_cursor"] as? String
                    } while cursor != nil
                }
            case .knowrithm:
                var page = 1
                var total = 1
                repeat {
                    let response = try await transport.send(
                        RemoteRequest(.get, "/conversation", query: [.init("page", String(page)), .init("per_page", "100")]))
                    pages += 1
                    bytes += response.body.readableBytes
                    total = (try JSONSerialization.jsonObject(with: response.data) as? [String: Any])?["pages"] as? Int ?? 0
                    page += 1
                } while page <= total
            case .turns:
                for agent in emulator.addresses.agentIDs {
                    var offset = 0
                    var count = 0
                    repeat {
                        let response = try await transport.send(
                            RemoteRequest(.get, "/agents/{agentId}/conversations", parameters: ["agentId": agent],
                                query: [.init("offset", String(offset)), .init("limit", "100")]))
                        pages += 1
                        bytes += response.body.readableBytes
                        let object = try JSONSerialization.jsonObject(with: response.data) as? [String: Any]
                        count = (object?["conversations"] as? [Any])?.count ?? 0
                        offset += count
                    } while count == 100
                }
            }
            let elapsed = (ContinuousClock.now - start).seconds
            pageRates.append(Double(pages) / elapsed)
            byteRates.append(Double(bytes) / elapsed / 1_048_576)
        }
        report("emulator.\(dialect.rawValue).pages_per_s", median(pageRates), "pages/s")
        report("emulator.\(dialect.rawValue).mb_per_s", median(byteRates), "MB/s")
        try await transport.shutdown()
    }

    // SSE: one streamed reply at full speed, from the first delta to the final event.
    guard let baseURL = URL(string: emulator.baseURL(.agentflow)) else { return }
    let transport = HTTPTransport(baseURL: baseURL, credentials: .bearer(key), logger: logger)
    var created = RemoteRequest(.post, "/conversations")
    try created.setJSONBody(["agent_id": emulator.addresses.agentIDs[0]])
    let conversation = try await transport.send(created)
    guard let id = (try JSONSerialization.jsonObject(with: conversation.data) as? [String: Any])?["id"] as? String else { return }
    var eventRates: [Double] = []
    var streamByteRates: [Double] = []
    for round in 0..<max(20, runs) {
        var request = RemoteRequest(.post, "/conversations/{id}/stream", parameters: ["id": id], accept: "text/event-stream")
        try request.setJSONBody(["content": "Summarize the pipeline review number \(round) with every detail you have"])
        let response = try await transport.stream(request)
        var parser = SSEParser()
        var events = 0
        var bytes = 0
        var first: ContinuousClock.Instant?
        for try await chunk in response.body {
            first = first ?? ContinuousClock.now
            bytes += chunk.readableBytes
            events += parser.parse(chunk).count
        }
        if let first, events > 1 {
            let elapsed = (ContinuousClock.now - first).seconds
            eventRates.append(Double(events) / elapsed)
            streamByteRates.append(Double(bytes) / elapsed / 1_048_576)
        }
    }
    report("emulator.sse.events_per_s", median(eventRates), "events/s")
    report("emulator.sse.mb_per_s", median(streamByteRates), "MB/s")
    try await transport.shutdown()
    _ = tenant
}
