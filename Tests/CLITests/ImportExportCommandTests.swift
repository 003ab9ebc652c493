import Foundation
import Testing
import TestSupport

/// `convosync import` and `convosync export`, the public JSONL contract.
@Suite("convosync import and export")
struct ImportExportCommandTests {
    @Test("export then import into a fresh replica then export gives identical bytes")
    func roundTripIsByteIdentical() async throws {
        try await withTemporaryDirectory { folder in
            let first = folder.appendingPathComponent("first.convosync").path
            let second = folder.appendingPathComponent("second.convosync").path
            #expect(try await Convosync.run(["import", "--db", first, Fixtures.url("sample.jsonl").path]).status == 0)
            let exported = try await Convosync.run(["export", "--db", first])
            #expect(exported.status == 0)
            let imported = try await Convosync.run(["import", "--db", second, "-"], input: exported.standardOutput)
            #expect(imported.status == 0, "\(imported.standardError)")
            let again = try await Convosync.run(["export", "--db", second])
            #expect(again.standardOutput == exported.standardOutput)
            #expect(!exported.standardOutput.isEmpty)
        }
    }

    @Test("importing the same file twice changes nothing")
    func importIsIdempotent() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("twice.convosync").path
            let sample = Fixtures.url("sample.jsonl").path
            #expect(try await Convosync.run(["import", "--db", db, sample]).status == 0)
            let before = try await Convosync.run(["export", "--db", db]).standardOutput
            let second = try await Convosync.run(["import", "--db", db, "--json", sample])
            #expect(second.status == 0)
            let report = try #require(JSONSerialization.jsonObject(with: second.standardOutput) as? [String: Any])
            #expect(report["inserted"] as? Int == 0)
            #expect(report["updated"] as? Int == 0)
            #expect((report["unchanged"] as? Int ?? 0) > 0)
            #expect(try await Convosync.run(["export", "--db", db]).standardOutput == before)
        }
    }

    @Test("bad lines are reported by number, nothing of them is written, good lines are kept, exit 65")
    func badLinesAreReportedAndSkipped() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("mixed.convosync").path
            let result = try await Convosync.run(["import", "--db", db, Fixtures.url("cli/mixed-lines.jsonl").path])
            #expect(result.status == 65)
            for line in [2, 3, 4, 6] {
                #expect(result.standardError.contains("line \(line):"), "line \(line) should be reported")
            }
            for line in [1, 5, 7] {
                #expect(!result.standardError.contains("line \(line):"), "line \(line) is fine")
            }
            let exported = try await Convosync.run(["export", "--db", db])
            let ids = exported.output.split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["id"] as? String
            }
            #expect(ids == ["conv_00000000000000a1", "conv_00000000000000a6"])
        }
    }

    @Test("a missing input file exits 66 without creating a replica")
    func missingInput() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("never.convosync").path
            let result = try await Convosync.run(["import", "--db", db, folder.appendingPathComponent("nope.jsonl").path])
            #expect(result.status == 66)
            #expect(!FileManager.default.fileExists(atPath: db))
        }
    }

    @Test("the export of a replica is ordered by id and every line has the contract's keys")
    func exportShape() async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("shape.convosync").path
            #expect(try await Convosync.run(["import", "--db", db, Fixtures.url("sample.jsonl").path]).status == 0)
            let lines = try await Convosync.run(["export", "--db", db]).output.split(separator: "\n")
            let objects = try lines.map { try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
            let ids = objects.compactMap { $0["id"] as? String }
            #expect(ids == ids.sorted())
            let conversationKeys: Set = ["id", "agent_id", "title", "metadata", "source", "source_ref_id", "created_at", "updated_at", "deleted_at", "turns"]
            let turnKeys: Set = ["id", "role", "timestamp", "state", "error_detail", "in_reply_to", "deleted_at", "fragments"]
            let fragmentKeys: Set = ["kind", "content", "state", "metadata"]
            for object in objects {
                #expect(Set(object.keys) == conversationKeys)
                for turn in object["turns"] as? [[String: Any]] ?? [] {
                    #expect(Set(turn.keys) == turnKeys)
                    for fragment in turn["fragments"] as? [[String: Any]] ?? [] {
                        #expect(Set(fragment.keys) == fragmentKeys)
                    }
                }
            }
        }
    }
}
