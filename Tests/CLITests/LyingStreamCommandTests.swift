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

/// `convosync watch`, `send` and `files` against the lies told in streams and content
/// listings: the command does its job, keeps nothing unusable, and exits as it says.
// One case at a time: each holds an emulator, a replica and child processes, and the test
// process as a whole must stay under 1,024 open descriptors.
@Suite("convosync watch, send and files against a remote that lies", .serialized)
struct LyingStreamCommandTests {
    enum StreamLie: String, CaseIterable, CustomTestStringConvertible {
        case sseHostileIDs, sseRetryZero, watchRouteMissing

        var testDescription: String { rawValue }

        func apply(to faults: inout FaultConfiguration) {
            switch self {
            case .sseHostileIDs: faults.sseHostileIDs = true
            case .sseRetryZero: faults.sseRetryZero = true
            case .watchRouteMissing: faults.missingRoutes = ["watch"]
            }
        }
    }

    @Test("watch shows what another client adds through each stream lie, keeps it once, and stops on SIGTERM with 0",
          arguments: StreamLie.allCases)
    func watchUnderALie(lie: StreamLie) async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder, admin: true) { synced in
                var faults = FaultConfiguration()
                lie.apply(to: &faults)
                synced.emulator.emulator.faults.update(faults)
                let id = try #require(try await synced.truth().first { !$0.deleted }?.id)
                let (process, output, errors) = try await WatchCommandTests.startWatch(id, of: synced, in: folder)
                defer { if process.isRunning { process.terminate() } }
                // Two changes: the second arrives on a stream resumed (or a poll repeated) after the first.
                let admin = EmulatorAdmin(synced.emulator)
                try await admin.append(to: id, content: "First words through a lying stream")
                try await WatchCommandTests.waitFor("the first message", in: output, process: process) {
                    $0.contains("First words through a lying stream")
                }
                try await admin.append(to: id, content: "Second words through a lying stream")
                try await WatchCommandTests.waitFor("the second message", in: output, process: process) {
                    $0.contains("Second words through a lying stream")
                }

                kill(process.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(process)
                let said = try String(contentsOf: errors, encoding: .utf8)
                #expect(process.terminationStatus == 0, "\(said)")
                #expect(process.terminationReason == .exit)
                if lie == .watchRouteMissing { #expect(said.contains("no live stream"), "\(said)") }
                let stored = try await synced.withReplica { replica in
                    try await replica.conversation(id: id)?.turns.map(\.text) ?? []
                }
                #expect(stored.filter { $0 == "First words through a lying stream" }.count == 1)
                #expect(stored.filter { $0 == "Second words through a lying stream" }.count == 1)
                #expect(try await synced.withReplica { try await $0.integrityCheck() } == [])
            }
        }
    }

    @Test("send through a reply stream that opens with retry: 0 prints the reply, exits 0, and the message is on the remote once")
    func sendThroughRetryZero() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.agentflow, in: folder, admin: true) { synced in
                var faults = FaultConfiguration()
                faults.sseRetryZero = true
                synced.emulator.emulator.faults.update(faults)
                let id = try #require(try await synced.truth().first { !$0.deleted }?.id)
                let sent = try await synced.run(["send"], [id, "Answer despite the stream's retry: 0"])
                #expect(sent.status == 0, "\(sent.standardError)")
                #expect(!sent.output.isEmpty, "no reply printed")
                let remote = try #require(try await synced.truth().first { $0.id == id })
                #expect(remote.turns.filter { $0.text == "Answer despite the stream's retry: 0" }.count == 1)
                let local = try await synced.withReplica { replica in
                    try await replica.conversation(id: id)?.turns ?? []
                }
                #expect(local.filter { $0.text == "Answer despite the stream's retry: 0" }.count == 1)
                // The reply landed whole: an assistant turn after the message, not left streaming.
                #expect(local.last?.role == .assistant)
                #expect(local.last?.state != .inProgress, "\(String(describing: local.last?.state))")
                #expect(local.last?.text.isEmpty == false)
            }
        }
    }

    @Test("files whose listing claims 10^12 bytes: listed, a fetch refused with exit 76 and nothing on disk; fetched whole once the claim is true")
    func filesClaimingHugeSizes() async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(.v2, in: folder, conversations: 12, admin: true) { synced in
                let raw = try await EmulatorHarness.truth(synced.emulator)
                let owner = try #require(raw.first { (($0["files"] as? [[String: Any]]) ?? []).isEmpty == false })
                let conversation = try #require(owner["id"] as? String)
                let ref = try #require((owner["files"] as? [[String: Any]])?.first?["file_ref"] as? String)
                var faults = FaultConfiguration()
                faults.hugeSizes = true
                synced.emulator.emulator.faults.update(faults)

                let listed = try await synced.run(["files"], [conversation, "--json"])
                #expect(listed.status == 0, "\(listed.standardError)")
                let fetched = try await synced.run(["files"], [conversation, "--fetch", ref])
                #expect(fetched.status == 76, "\(fetched.standardError)")
                #expect(fetched.standardError.contains("1000000000000"), "\(fetched.standardError)")
                let content = URL(fileURLWithPath: synced.db + ".files")
                let left = (try? FileManager.default.contentsOfDirectory(atPath: content.path)) ?? []
                #expect(left.isEmpty, "\(left)")

                synced.emulator.emulator.faults.update(FaultConfiguration())
                let honest = try await synced.run(["files"], [conversation, "--fetch", ref])
                #expect(honest.status == 0, "\(honest.standardError)")
            }
        }
    }
}
