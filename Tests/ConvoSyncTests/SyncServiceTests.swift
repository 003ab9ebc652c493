import ConvoEmulator
import ConvoModel
import ConvoSync
import EmulatorSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing
import TestSupport

@Suite("The engine as a service")
struct SyncServiceTests {
    @Test("a service group runs the engine and a graceful shutdown stops it with the replica in step")
    func gracefulShutdownStopsTheEngine() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 10, turns: 2) { emulator in
                try await SyncHarness.with(.agentflow, on: emulator, in: folder) { harness in
                    let service = SyncService(engine: harness.engine)
                    let group = ServiceGroup(services: [service], logger: EmulatorHarness.logger)
                    let updates = harness.engine.statusUpdates()
                    try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask { try await group.run() }
                        for await status in updates where status.lastSuccess != nil { break }
                        await group.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                    }
                    #expect(harness.engine.status.phase == .idle)
                    let (replica, remote) = try await harness.comparison()
                    #expect(replica == remote)
                }
            }
        }
    }
}
