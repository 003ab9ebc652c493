import ConvoEmulator
import Foundation
import Logging
import TestSupport
import Testing

@Suite("seed generator")
struct SeedGeneratorTests {
    static func truth(seed: UInt64, conversations: Int = 60) async throws -> Data {
        var configuration = EmulatorConfiguration()
        configuration.generator.seed = seed
        configuration.generator.conversations = conversations
        configuration.generator.turns = 5
        let emulator = try await Emulator(configuration: configuration, logger: Logger(label: "convosync.emulator.tests"))
        return try await emulator.store.truth(tenantID: "acme").serialized() + emulator.store.truth(tenantID: "globex").serialized()
    }

    @Test("the same seed gives byte-identical data; another seed gives different data")
    func determinism() async throws {
        let first = try await Self.truth(seed: 42)
        #expect(first == (try await Self.truth(seed: 42)))
        #expect(first != (try await Self.truth(seed: 43)))
    }

    @Test("generated data is realistic: titles, sources, multi-fragment replies, some deletions, files and frames")
    func shape() async throws {
        var configuration = EmulatorConfiguration()
        configuration.generator.conversations = 400
        let emulator = try await Emulator(configuration: configuration, logger: Logger(label: "convosync.emulator.tests"))
        let acme = try await emulator.store.truth(tenantID: "acme")
        let conversations = acme["conversations"]?.arrayValue ?? []
        #expect(conversations.count == 400)
        #expect(acme["agents"]?.arrayValue?.count == 3)
        let deleted = conversations.filter { $0["deleted_at"] != .null }.count
        #expect((5...45).contains(deleted))
        #expect(Set(conversations.compactMap { $0["source"]?.stringValue }) == ["web", "slack", "api", "email"])
        #expect(conversations.filter { $0["title"] == .null }.count > 0)
        #expect(conversations.allSatisfy { ($0["id"]?.stringValue ?? "").hasPrefix("conv_") })
        let turns = conversations.flatMap { $0["turns"]?.arrayValue ?? [] }
        #expect(turns.contains { $0["role"] == "assistant" && ($0["fragments"]?.arrayValue?.count ?? 0) > 1 })
        #expect(turns.contains { $0["deleted_at"] != .null })
        #expect(conversations.contains { !($0["files"]?.arrayValue ?? []).isEmpty })
        #expect(conversations.contains { !($0["data_frames"]?.arrayValue ?? []).isEmpty })
        let globex = try await emulator.store.truth(tenantID: "globex")
        #expect(globex["conversations"]?.arrayValue?.count == 3)
        let firstCreated = conversations.first?["created_at"]?.stringValue ?? ""
        #expect(firstCreated.hasPrefix("2026-01-01T"))
    }

    @Test("a database file keeps its data across restarts and is not reseeded")
    func fileStorePersists() async throws {
        try await withTemporaryDirectory { folder in
            var configuration = EmulatorConfiguration()
            configuration.databasePath = folder.appendingPathComponent("emulator.sqlite").path
            configuration.generator.conversations = 5
            var created = ""
            try await EmulatorClient.with({ $0 = configuration; $0.adminEnabled = true }) { client in
                created = try #require(try await client.send(.POST, .agentflow, "/conversations", json: .make(["agent_id": .string(client.agentIDs[0])])).json["id"]?.stringValue)
            }
            configuration.generator.seed = 99
            try await EmulatorClient.with({ $0 = configuration; $0.adminEnabled = true }) { client in
                #expect(try await client.get(.agentflow, "/conversations/\(created)").status == 200)
                let active = try await client.truth()["conversations"]?.arrayValue ?? []
                #expect(active.count == 6)
            }
        }
    }
}
