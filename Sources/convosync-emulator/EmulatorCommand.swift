import ArgumentParser
import ConvoEmulator
import Foundation
import Logging
import ServiceLifecycle

/// `convosync-emulator`: the emulated platform as a standalone server on 127.0.0.1.
@main
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convosync-emulator",
        abstract: "Serve the four platform APIs from a seeded store on 127.0.0.1.",
        discussion: """
            Prints one line per dialect ("<dialect> <base URL>"), one line per seeded agent \
            ("agent <id>"), then "ready". With --json it prints one JSON object instead.
            """)

    @Option(help: "The port on 127.0.0.1 (0 picks a free one).")
    var port = 8080

    @Option(help: "The generator seed: the same seed gives the same data.")
    var seed: UInt64 = 42

    @Option(help: "Conversations to generate for the default tenant.")
    var conversations = 0

    @Option(help: "Turns per generated conversation.")
    var turns = 4

    @Option(help: "The default tenant.")
    var tenant = "acme"

    @Option(name: .customLong("api-key"), help: "The default tenant's API key.")
    var apiKey = "dev-key"

    @Option(help: "A database file kept across restarts (default: in memory).")
    var db: String?

    @Flag(help: "Mount the loopback-only /_emulator admin routes.")
    var admin = false

    @Flag(help: "Also serve routes beyond the documented API (no client path needs them).")
    var extensions = false

    @Flag(help: "Print the addresses as one JSON object.")
    var json = false

    @Option(name: .customLong("delta-interval-ms"), help: "Pause between streamed reply deltas, in milliseconds.")
    var deltaIntervalMilliseconds = 20

    @Option(name: .customLong("fault-seed"), help: "Seeds fault decisions.")
    var faultSeed: UInt64 = 1

    @Option(name: .customLong("fault-5xx-rate"), help: "Fraction of requests answered 503.")
    var serverErrorRate = 0.0

    @Option(name: .customLong("fault-429-rate"), help: "Fraction of requests answered 429.")
    var rateLimitRate = 0.0

    @Option(name: .customLong("fault-retry-after"), help: "Retry-After seconds of a 429.")
    var retryAfter = 1

    @Option(name: .customLong("fault-latency-ms"), help: "Latency added to each request, in milliseconds.")
    var latencyMilliseconds = 0

    @Option(name: .customLong("fault-cut-body-rate"), help: "Fraction of responses cut mid-body.")
    var cutBodyRate = 0.0

    @Option(name: .customLong("fault-cut-stream-after"), help: "Cut event streams after this many events.")
    var cutStreamAfter: Int?

    @Flag(name: .customLong("fault-duplicate-events"), help: "Send every event-stream event twice.")
    var duplicateEvents = false

    @Option(name: .customLong("fault-churn-every"), help: "Insert and delete a conversation after every k-th listing.")
    var churnEvery: Int?

    @Flag(name: .customLong("replay-cut-streams"), help: "Keep a cut reply stream's idempotency record, so a retry replays it (a lenient platform).")
    var replayCutStreams = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be within 0...65535") }
        guard conversations >= 0, turns >= 1 else { throw ValidationError("--conversations must be >= 0 and --turns >= 1") }
        for (name, rate) in [("--fault-5xx-rate", serverErrorRate), ("--fault-429-rate", rateLimitRate), ("--fault-cut-body-rate", cutBodyRate)]
        where !(0...1).contains(rate) {
            throw ValidationError("\(name) must be within 0...1")
        }
        guard deltaIntervalMilliseconds >= 0, latencyMilliseconds >= 0, retryAfter >= 0 else {
            throw ValidationError("durations must not be negative")
        }
        if let churnEvery, churnEvery < 1 { throw ValidationError("--fault-churn-every must be >= 1") }
        if let cutStreamAfter, cutStreamAfter < 0 { throw ValidationError("--fault-cut-stream-after must be >= 0") }
    }

    func run() async throws {
        var configuration = EmulatorConfiguration()
        configuration.port = port
        configuration.generator.seed = seed
        configuration.generator.conversations = conversations
        configuration.generator.turns = turns
        configuration.tenant = tenant
        configuration.apiKey = apiKey
        configuration.databasePath = db
        configuration.adminEnabled = admin
        configuration.extensions = extensions
        configuration.deltaInterval = .milliseconds(deltaIntervalMilliseconds)
        configuration.faults.seed = faultSeed
        configuration.faults.serverErrorRate = serverErrorRate
        configuration.faults.rateLimitRate = rateLimitRate
        configuration.faults.retryAfterSeconds = retryAfter
        configuration.faults.latency = .milliseconds(latencyMilliseconds)
        configuration.faults.cutBodyRate = cutBodyRate
        configuration.faults.cutStreamAfterEvents = cutStreamAfter
        configuration.faults.duplicateEvents = duplicateEvents
        configuration.faults.churnEvery = churnEvery
        configuration.replayCutStreams = replayCutStreams

        var logger = Logger(label: "convosync.emulator")
        logger.logLevel = .warning
        let printsJSON = json
        let emulator = try await Emulator(configuration: configuration, logger: logger) { addresses in
            FileHandle.standardOutput.write(Data((ReadyBanner.text(addresses, json: printsJSON) + "\n").utf8))
        }
        let group = ServiceGroup(configuration: .init(
            services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
