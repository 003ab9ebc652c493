import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// SIGINT and SIGTERM stop `convosync sync` at a clean point with 130 and 143.
@Suite("convosync sync on SIGINT and SIGTERM")
struct SyncSignalTests {
    @Test("a signal mid-sync exits 128 + its number with one sentence, leaving a sound replica the next sync completes",
          arguments: [SIGINT, SIGTERM])
    func signalStopsCleanly(signal: Int32) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 400, turns: 2, configure: { configuration in
                // Slow enough that the sync runs for seconds after its first page lands.
                configuration.faults.latency = .milliseconds(60)
            }) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("r.convosync").path
                let arguments = ["sync", "--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let environment = setup.environment(.agentflow, on: emulator)
                let errorFile = folder.appendingPathComponent("stderr.txt")
                _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
                let process = try Convosync.start(arguments, environment: environment, standardError: errorFile)
                // Signal once the first page has landed: the sync is then well under way.
                while process.isRunning, try await heldConversations(db) == 0 {
                    try await Task.sleep(for: .milliseconds(20))
                }
                kill(process.processIdentifier, signal)
                try await Convosync.waitForExit(process)
                #expect(process.terminationReason == .exit)
                #expect(process.terminationStatus == 128 + signal)
                let message = try String(contentsOf: errorFile, encoding: .utf8)
                #expect(message.contains("Interrupted by \(signal == SIGINT ? "SIGINT" : "SIGTERM")"))

                let replica = try Replica.openExisting(at: db)
                #expect(try await replica.integrityCheck() == [])
                try replica.close()
                let final = try await Convosync.run(arguments, environment: environment, timeout: .seconds(600))
                #expect(final.status == 0, "\(final.standardError)")
            }
        }
    }

    /// The conversations a replica being written by another process holds so far (0 while
    /// it is being created).
    private func heldConversations(_ db: String) async throws -> Int {
        var configuration = ReplicaConfiguration()
        configuration.readonly = true
        guard let replica = try? Replica.openExisting(at: db, configuration: configuration) else { return 0 }
        defer { try? replica.close() }
        return (try? await replica.remoteConversationCount(agentID: nil, includingDeleted: true)) ?? 0
    }
}
