import ConvoEmulator
import Foundation
import Logging
import ServiceLifecycle

/// The emulator in its own process, so that a sync's peak memory and CPU are the client's
/// alone: seeds `conversations` × `turns`, prints `ready ORIGIN AGENT,AGENT,…` and serves,
/// admin routes on, replies at full speed, until SIGTERM or SIGINT.
enum Serve {
    static func run(conversations: Int, turns: Int, logger: Logger) async throws {
        var configuration = EmulatorConfiguration()
        configuration.generator.conversations = conversations
        configuration.generator.turns = turns
        configuration.adminEnabled = true
        configuration.deltaInterval = .zero
        let seedStart = ContinuousClock.now
        let emulator = try await Emulator(configuration: configuration, logger: logger) { addresses in
            Measure.report("serve.seed_seconds", (ContinuousClock.now - seedStart).seconds, "s")
            Measure.line("ready \(addresses.origin) \(addresses.agentIDs.joined(separator: ","))")
        }
        let group = ServiceGroup(
            configuration: .init(services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
