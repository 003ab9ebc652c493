import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("JSONL import and export")
struct JSONLTests {
    typealias T = ReplicaTesting

    static func sampleLines() throws -> [String] {
        String(decoding: try Fixtures.data("sample.jsonl"), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    /// Makes `replica` refuse to insert conversation `id`: no well-formed line breaks a
    /// constraint today.
    static func refuseInserting(_ id: String, in replica: Replica) async throws {
        try await T.execute(
            """
            CREATE TEMP TRIGGER refuse_\(id) BEFORE INSERT ON main.conversation
            WHEN NEW.remote_id = '\(id)' BEGIN SELECT RAISE(ABORT, 'refused'); END
            """, in: replica)
    }

    @Test("the sample imports whole and exports byte for byte as it was")
    func sampleRoundTrips() async throws {
        try await T.withReplica { replica in
            let handle = try FileHandle(forReadingFrom: Fixtures.url("sample.jsonl"))
            defer { try? handle.close() }
            let report = try await replica.importJSONL(from: handle)
            #expect(report.inserted == 20)
            #expect(report.rejectedCount == 0)
            #expect(try T.exportLines(replica) == Self.sampleLines())
            // The soft-deleted conversation is exported but not listed.
            #expect(try await replica.conversations(ConversationQuery()).total == 19)
        }
    }

    @Test("importing twice changes nothing, not even one row, and exports the same bytes")
    func importIsIdempotent() async throws {
        try await T.withReplica { replica in
            let lines = try Self.sampleLines()
            _ = try await replica.importJSONL(lines: T.lines(lines), batchSize: 3)
            let first = try T.exportLines(replica)
            let changesBefore = try await replica.writing { db in db.totalChangesCount }
            let again = try await replica.importJSONL(lines: T.lines(lines), batchSize: 7)
            #expect(again.inserted == 0)
            #expect(again.updated == 0)
            #expect(again.unchanged == 20)
            #expect(try await replica.writing { db in db.totalChangesCount } == changesBefore)
            #expect(try T.exportLines(replica) == first)
        }
    }

    @Test("export, import into a fresh replica, export again gives identical bytes")
    func exportImportExportIsStable() async throws {
        let original = try await T.withReplica { replica -> [String] in
            var conversation = T.conversation("b-conv", title: "Ünïcode \"quoted\" / slashed\nline")
            conversation.metadata = .object(["n": .int(3), "x": .double(1.5), "list": .array([.null, .bool(true)])])
            conversation.messageCount = 9
            try await replica.upsertConversations(
                [conversation, T.conversation("a-conv", source: nil), T.conversation("gone"),
                 T.conversation("deleted", deletedAt: T.date("2026-02-03T04:05:06.789Z"))],
                pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "b-conv",
                turns: [
                    T.turn("t1", "Hello 👋", "second fragment"),
                    Turn(id: "t2", role: .assistant, state: .inProgress, errorDetail: nil, inReplyTo: "t1",
                         fragments: [Fragment(kind: "tool_call", content: "{}", metadata: .object(["k": .string("v")]))]),
                    T.turn("t3", "removed later"),
                ], syncState: nil)
            try await replica.softDeleteTurn(id: "t3", at: T.date("2026-02-01T00:00:00Z"), syncState: nil)
            try await replica.markPurged(conversationID: "gone", at: Date(), syncState: nil)
            return try T.exportLines(replica)
        }
        #expect(original.count == 3, "purged conversations are not exported")
        #expect(original.first?.hasPrefix(#"{"agent_id":"agent_1","created_at":"2026-01-01T00:00:00Z","deleted_at":null,"id":"a-conv""#) == true)
        let roundTripped = try await T.withReplica { replica -> [String] in
            let report = try await replica.importJSONL(lines: T.lines(original))
            #expect(report.inserted == 3)
            return try T.exportLines(replica)
        }
        #expect(roundTripped == original)
    }

    @Test("bad lines are reported by number and skipped; good lines are kept")
    func badLinesAreReported() async throws {
        try await T.withReplica { replica in
            let handle = try FileHandle(forReadingFrom: Fixtures.url("import-with-bad-lines.jsonl"))
            defer { try? handle.close() }
            let report = try await replica.importJSONL(from: handle, batchSize: 2)
            #expect(report.linesRead == 13)
            #expect(report.inserted == 3)
            #expect(report.rejections.map(\.line) == [2, 3, 5, 6, 8, 9, 10, 11, 12])
            #expect(report.rejectedCount == 9)
            let messages = Dictionary(uniqueKeysWithValues: report.rejections.map { ($0.line, $0.message) })
            #expect(messages[3]?.contains("turns[0].role") == true)
            #expect(messages[5]?.contains("turns[1].state") == true)
            #expect(messages[6] == "id is missing")
            #expect(messages[8]?.contains("title") == true)
            #expect(messages[9] == "not valid UTF-8")
            #expect(messages[10]?.contains("created_at") == true)
            #expect(messages[12]?.contains("content") == true)
            let ids = try T.exportLines(replica).map { try #require(JSONLCodec.decode($0).conversationID) }
            #expect(ids == ["conv_001", "conv_002", "conv_003"])
        }
    }

    @Test("a line the replica's constraints refuse sinks only itself: the batch is written again line by line, the others kept and found by search")
    func constraintRefusalRewritesTheBatchLineByLine() async throws {
        try await T.withReplica { replica in
            try await Self.refuseInserting("conv_002", in: replica)
            let lines = Array(try Self.sampleLines().prefix(4))
            let report = try await replica.importJSONL(lines: T.lines(lines), batchSize: 10)
            #expect(report.inserted == 3)
            #expect(report.rejections.map(\.line) == [2])
            #expect(report.rejections.first?.message == "violates a replica constraint")
            let ids = try T.exportLines(replica).map { try #require(JSONLCodec.decode($0).conversationID) }
            #expect(ids == ["conv_001", "conv_003", "conv_004"])
            #expect(Set(try await replica.search("espresso").map(\.conversationID)) == ["conv_003"])
            #expect(Set(try await replica.search("Lisbon").map(\.conversationID)) == ["conv_004"])
            #expect(try await replica.search("outline").isEmpty)
            #expect(try await replica.integrityCheck() == [])
        }
    }

    @Test("lines refused by decoding and by the replica are reported in line order, across batches written while the next is read")
    func rejectionsStayInLineOrder() async throws {
        try await T.withReplica { replica in
            try await Self.refuseInserting("conv_005", in: replica)
            var lines = try Self.sampleLines()
            lines[1] = "{not json"
            lines[5] = #"{"id": 7}"#
            let report = try await replica.importJSONL(lines: T.lines(lines), batchSize: 3)
            // Line 5 (conv_005) is refused by the replica while line 6, after it, failed to decode.
            #expect(report.rejections.map(\.line) == [2, 5, 6])
            #expect(report.rejections[1].message == "violates a replica constraint")
            #expect(report.inserted == 17)
            #expect(try T.exportLines(replica).count == 17)
        }
    }

    @Test("input that fails midway keeps every line read before the failure, the last partial batch too")
    func failingInputKeepsWhatWasRead() async throws {
        struct Cut: Error {}
        try await T.withReplica { replica in
            let lines = Array(try Self.sampleLines().prefix(5))
            let input = AsyncThrowingStream<String, any Error> { continuation in
                for line in lines { continuation.yield(line) }
                continuation.finish(throwing: Cut())
            }
            // Batches of 1 (the first is an eighth) and 3 leave the fifth line unwritten when the input fails.
            await #expect(throws: Cut.self) { try await replica.importJSONL(lines: input, batchSize: 3) }
            #expect(try T.exportLines(replica).count == 5)
        }
    }

    @Test("an over-long line is rejected without holding it in memory, and the next line is read")
    func overLongLineIsRejected() async throws {
        try await withTemporaryDirectory { folder in
            let sample = try Self.sampleLines()
            let long = String(repeating: "x", count: 10_000)
            let file = folder.appendingPathComponent("in.jsonl")
            try Data(([sample[0], long, sample[1]].joined(separator: "\n")).utf8).write(to: file)
            let replica = try Replica.open(at: folder.appendingPathComponent("r.convosync").path, account: T.account)
            let handle = try FileHandle(forReadingFrom: file)
            defer { try? handle.close() }
            let report = try await replica.importJSONL(from: handle, maximumLineBytes: 4096)
            #expect(report.rejections.map(\.line) == [2])
            #expect(report.inserted == 2)
        }
    }

    @Test("the line reader splits LF and CRLF, keeps a last line without newline, across tiny chunks")
    func lineReaderSplits() async throws {
        try await withTemporaryDirectory { folder in
            let file = folder.appendingPathComponent("lines.txt")
            try Data("one\r\ntwo\n\nthree é\nlast".utf8).write(to: file)
            for chunkSize in [1, 2, 3, 64] {
                let handle = try FileHandle(forReadingFrom: file)
                defer { try? handle.close() }
                var lines: [String] = []
                for try await line in LineReader(fileHandle: handle, chunkSize: chunkSize) { lines.append(line) }
                #expect(lines == ["one", "two", "", "three é", "last"], "chunk size \(chunkSize)")
            }
        }
    }
}

extension JSONLCodec.Decoded {
    /// The decoded conversation's id, for tests.
    var conversationID: String? {
        if case .conversation(let conversation) = self { return conversation.id }
        return nil
    }
}
