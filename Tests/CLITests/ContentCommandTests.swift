import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing
import TestSupport

/// `convosync files` and `convosync frames` against the emulator's v2 API.
@Suite("convosync files and frames")
struct ContentCommandTests {
    @Test("files lists and fetches byte for byte; frames lists and slices, and the slice works offline")
    func filesAndFrames() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("v2.convosync").path
                let account = ["--db", db] + (try SyncSetup.accountArguments(.v2, on: emulator))
                let environment = setup.environment(.v2, on: emulator)
                let synced = try await Convosync.run(["sync"] + account, environment: environment)
                #expect(synced.status == 0, "\(synced.standardError)")

                let truth = try await EmulatorHarness.truth(emulator)
                let withFile = try #require(truth.first { !(($0["files"] as? [[String: Any]]) ?? []).isEmpty })
                let conversation = try #require(withFile["id"] as? String)
                let file = try #require((withFile["files"] as? [[String: Any]])?.first)
                let ref = try #require(file["file_ref"] as? String)

                let listed = try await Convosync.run(["files", conversation, "--json"] + account, environment: environment)
                #expect(listed.status == 0, "\(listed.standardError)")
                let document = try JSONSerialization.jsonObject(with: listed.standardOutput) as? [String: Any]
                let refs = (document?["files"] as? [[String: Any]])?.compactMap { $0["ref"] as? String }
                #expect(refs?.contains(ref) == true)

                let fetched = try await Convosync.run(["files", conversation, "--fetch", ref] + account, environment: environment)
                #expect(fetched.status == 0, "\(fetched.standardError)")
                let path = fetched.output.trimmingCharacters(in: .whitespacesAndNewlines)
                #expect(path.hasPrefix(folder.path), "fetched outside the replica's folder: \(path)")
                let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(bytes.count == (file["size"] as? Int))

                if let frame = (withFile["data_frames"] as? [[String: Any]])?.first ?? truth.lazy
                    .compactMap({ ($0["data_frames"] as? [[String: Any]])?.first }).first,
                    let frameOwner = truth.first(where: { (($0["data_frames"] as? [[String: Any]]) ?? []).contains { $0["name"] as? String == frame["name"] as? String } })?["id"] as? String,
                    let name = frame["name"] as? String
                {
                    let frames = try await Convosync.run(["frames", frameOwner] + account, environment: environment)
                    #expect(frames.status == 0, "\(frames.standardError)")
                    #expect(frames.output.contains(name))
                    let online = try await Convosync.run(["frames", frameOwner, name, "--limit", "3", "--json"] + account, environment: environment)
                    #expect(online.status == 0, "\(online.standardError)")
                    let offline = try await Convosync.run(
                        ["frames", frameOwner, name, "--limit", "3", "--json", "--offline", "--db", db], environment: setup.baseEnvironment)
                    #expect(offline.status == 0, "\(offline.standardError)")
                    #expect(offline.output == online.output)
                    let rows = (try JSONSerialization.jsonObject(with: online.standardOutput) as? [String: Any])?["rows"] as? [[Any]]
                    #expect(rows?.count == min(3, (frame["rows"] as? [[Any]])?.count ?? 0))
                } else {
                    Issue.record("the seeded tenant has no data frame to slice")
                }
            }
        }
    }

    @Test("a dialect without files says so and exits 69")
    func unsupportedDialect() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 3, turns: 1) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("a.convosync").path
                let account = ["--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let environment = setup.environment(.agentflow, on: emulator)
                #expect(try await Convosync.run(["sync"] + account, environment: environment).status == 0)
                let result = try await Convosync.run(["files", "conv_x"] + account, environment: environment)
                #expect(result.status == 69)
                #expect(result.standardError.contains("cannot"))
            }
        }
    }
}
