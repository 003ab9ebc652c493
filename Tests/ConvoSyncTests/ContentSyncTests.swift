import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

@Suite("Files and data frames fetched on demand")
struct ContentSyncTests {
    /// A seeded conversation as the emulator's truth holds it: its files and data frames.
    struct Produced {
        var id: String
        var agentID: String
        var files: [[String: Any]]
        var frames: [[String: Any]]
    }

    /// The live conversations of the truth that hold files or data frames.
    static func produced(_ emulator: RunningEmulator) async throws -> [Produced] {
        try await EmulatorHarness.truth(emulator).compactMap { conversation in
            guard let id = conversation["id"] as? String, let agentID = conversation["agent_id"] as? String,
                conversation["deleted_at"] is NSNull
            else { return nil }
            let files = conversation["files"] as? [[String: Any]] ?? []
            let frames = conversation["data_frames"] as? [[String: Any]] ?? []
            return files.isEmpty && frames.isEmpty ? nil : Produced(id: id, agentID: agentID, files: files, frames: frames)
        }
    }

    /// Runs `body` with a v2 adapter of its own that knows the conversation's agent.
    static func withRemote<R>(
        _ conversation: Produced, on emulator: RunningEmulator, _ body: (any RemoteAPI) async throws -> R
    ) async throws -> R {
        try await EmulatorHarness.withAdapter(.v2, on: emulator) { api in
            api.rememberOwners([conversation.id: conversation.agentID])
            return try await body(api)
        }
    }

    /// A file's bytes as the remote serves them, read through the dialect's own adapter.
    static func remoteBytes(ref: String, of conversation: Produced, on emulator: RunningEmulator) async throws -> Data {
        try await withRemote(conversation, on: emulator) { api in
            var data = Data()
            for try await chunk in try await api.downloadFile(ref: ref, of: conversation.id) {
                data.append(contentsOf: chunk.readableBytesView)
            }
            return data
        }
    }

    static func isInside(_ url: URL, _ folder: URL) -> Bool {
        url.standardizedFileURL.resolvingSymlinksInPath().path
            .hasPrefix(folder.standardizedFileURL.resolvingSymlinksInPath().path + "/")
    }

    /// Runs `body` against a seeded emulator (admin on) and a synced v2 replica.
    static func withSyncedV2(_ body: (SyncHarness, [Produced]) async throws -> Void) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 30, turns: 4, configure: { $0.adminEnabled = true }) { emulator in
                try await SyncHarness.with(.v2, on: emulator, in: folder) { harness in
                    try await harness.engine.sync()
                    let produced = try await Self.produced(emulator)
                    try #require(!produced.isEmpty, "the seed should give some conversations files and frames")
                    try await body(harness, produced)
                }
            }
        }
    }

    @Test("listed files equal the remote's and fetched bytes equal its download, byte for byte, inside the replica's folder")
    func filesListAndFetch() async throws {
        try await Self.withSyncedV2 { harness, produced in
            for conversation in produced {
                let stored = try await harness.engine.refreshFiles(of: conversation.id)
                #expect(stored.map(\.ref) == conversation.files.compactMap { $0["file_ref"] as? String })
                #expect(stored.map(\.name) == conversation.files.compactMap { $0["name"] as? String })
                #expect(stored.compactMap(\.size) == conversation.files.compactMap { ($0["size"] as? Int).map(Int64.init) })
                #expect(stored.map(\.direction.rawValue) == conversation.files.compactMap { $0["direction"] as? String })
                #expect(stored.allSatisfy { $0.cachedURL == nil })

                for file in stored {
                    let url = try await harness.engine.fetchFile(ref: file.ref, of: conversation.id)
                    #expect(Self.isInside(url, harness.replica.contentFolder))
                    let expected = try await Self.remoteBytes(ref: file.ref, of: conversation, on: harness.emulator)
                    #expect(try Data(contentsOf: url) == expected)
                    #expect(try await harness.replica.file(ref: file.ref)?.cachedURL == url)
                }
            }
        }
    }

    @Test("a download cut mid-body is retried from the start and lands whole, leaving no partial file")
    func cutDownloadsRetry() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let conversation = try #require(produced.first { !$0.files.isEmpty })
            let files = try await harness.engine.refreshFiles(of: conversation.id)
            var faults = FaultConfiguration()
            faults.seed = 7
            // Every body cut: the retries are spent, the failure says offline, nothing is left.
            faults.cutBodyRate = 1
            harness.emulator.emulator.faults.update(faults)
            let first = try #require(files.first)
            let error = await #expect(throws: SyncError.self) {
                try await harness.engine.fetchFile(ref: first.ref, of: conversation.id)
            }
            #expect(error?.code == .offline)
            #expect(try await harness.replica.file(ref: first.ref)?.cachedPath == nil)
            let partials = (try? FileManager.default.contentsOfDirectory(atPath: harness.replica.contentFolder.path)) ?? []
            #expect(partials.isEmpty)

            // Half the bodies cut: each download retries until one lands whole.
            faults.cutBodyRate = 0.5
            harness.emulator.emulator.faults.update(faults)
            var urls: [URL] = []
            for file in files {
                urls.append(try await harness.engine.fetchFile(ref: file.ref, of: conversation.id, refresh: true))
            }
            harness.emulator.emulator.faults.update(FaultConfiguration())
            for (file, url) in zip(files, urls) {
                let expected = try await Self.remoteBytes(ref: file.ref, of: conversation, on: harness.emulator)
                #expect(try Data(contentsOf: url) == expected)
            }
            let left = try FileManager.default.contentsOfDirectory(atPath: harness.replica.contentFolder.path)
            #expect(left.sorted() == urls.map(\.lastPathComponent).sorted())
        }
    }

    @Test("a file already cached is served from the replica; a hard delete upstream removes it with its bytes")
    func cachedFileAndPurge() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let conversation = try #require(produced.first { !$0.files.isEmpty })
            let ref = try #require(conversation.files.first?["file_ref"] as? String)
            // Not listed yet: the fetch lists the conversation's files first.
            let url = try await harness.engine.fetchFile(ref: ref, of: conversation.id)
            var faults = FaultConfiguration()
            faults.serverErrorRate = 1
            harness.emulator.emulator.faults.update(faults)
            #expect(try await harness.engine.fetchFile(ref: ref, of: conversation.id) == url)
            harness.emulator.emulator.faults.update(FaultConfiguration())

            try await harness.admin.hardDelete(conversation.id)
            try await harness.engine.sync()
            #expect(!FileManager.default.fileExists(atPath: url.path))
            #expect(try await harness.replica.file(ref: ref) == nil)
        }
    }

    @Test("data frame slices, column choices and orders equal the remote's")
    func frameSlicesEqualRemote() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let withFrames = produced.filter { !$0.frames.isEmpty }
            try #require(!withFrames.isEmpty)
            for conversation in withFrames {
                let frames = try await harness.engine.refreshDataFrames(of: conversation.id, sampleCount: 3)
                #expect(frames.map(\.name) == conversation.frames.compactMap { $0["name"] as? String })
                for frame in frames {
                    let truthRows = (conversation.frames.first { $0["name"] as? String == frame.name }?["rows"] as? [Any])?.count
                    #expect(frame.rowCount == truthRows)
                    let queries = [
                        DataFrameQuery(offset: 0, limit: 100),
                        DataFrameQuery(offset: 3, limit: 4, columns: ["amount", "account"]),
                        DataFrameQuery(offset: 0, limit: 50, orderBy: "amount"),
                        DataFrameQuery(offset: 2, limit: 5, columns: ["stage"], orderBy: "stage"),
                        DataFrameQuery(offset: 1, limit: 100, columns: ["probability", "account"], orderBy: "probability"),
                        DataFrameQuery(offset: 1000, limit: 10),
                    ]
                    for query in queries {
                        let local = try await harness.engine.dataFrameSlice(
                            named: frame.name, of: conversation.id, offset: query.offset, limit: query.limit,
                            columns: query.columns, orderBy: query.orderBy)
                        let remote = try await Self.withRemote(conversation, on: harness.emulator) { api in
                            try await api.dataFrame(named: frame.name, of: conversation.id, query: query)
                        }
                        #expect(local.columns == remote.columns)
                        #expect(local.rows == remote.rows, "\(query)")
                    }
                }
            }
        }
    }

    @Test("offline, a slice comes from the rows cached before; with none cached the failure is offline")
    func offlineSliceFromCache() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let withFrames = produced.filter { !$0.frames.isEmpty }
            let cachedConversation = try #require(withFrames.first)
            let name = try #require(cachedConversation.frames.first?["name"] as? String)
            let online = try await harness.engine.dataFrameSlice(
                named: name, of: cachedConversation.id, offset: 1, limit: 5, columns: ["account", "amount"],
                orderBy: "amount", descending: true)
            #expect(online.rows.count == 5)

            var faults = FaultConfiguration()
            faults.serverErrorRate = 1
            harness.emulator.emulator.faults.update(faults)
            let offline = try await harness.engine.dataFrameSlice(
                named: name, of: cachedConversation.id, offset: 1, limit: 5, columns: ["account", "amount"],
                orderBy: "amount", descending: true)
            #expect(offline == online)

            let uncached = try #require(withFrames.dropFirst().first)
            let other = try #require(uncached.frames.first?["name"] as? String)
            let error = await #expect(throws: SyncError.self) {
                try await harness.engine.dataFrameSlice(named: other, of: uncached.id)
            }
            #expect(error?.code == .offline)
            let bad = await #expect(throws: SyncError.self) {
                try await harness.engine.dataFrameSlice(named: name, of: cachedConversation.id, columns: ["nope"])
            }
            #expect(bad?.store?.code == .invalidQuery)
            harness.emulator.emulator.faults.update(FaultConfiguration())
        }
    }

    @Test("file refs and frame names no one should store (NUL, U+0001, 1,500 bytes, empty) are skipped one by one; the rest of each listing lands")
    func hostileContentIDsSkipped() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let withFiles = try #require(produced.first { !$0.files.isEmpty })
            let withFrames = try #require(produced.first { !$0.frames.isEmpty })
            var faults = FaultConfiguration()
            faults.hostileIDs = true
            harness.emulator.emulator.faults.update(faults)
            // The fabricated item cycles through the four kinds of id, one per listing.
            for _ in 0..<4 {
                let files = try await harness.engine.refreshFiles(of: withFiles.id)
                #expect(files.map(\.ref) == withFiles.files.compactMap { $0["file_ref"] as? String })
                let frames = try await harness.engine.refreshDataFrames(of: withFrames.id)
                #expect(Set(frames.map(\.name)) == Set(withFrames.frames.compactMap { $0["name"] as? String }))
            }
            // The true items stay usable while the remote goes on lying.
            let ref = try #require(withFiles.files.first?["file_ref"] as? String)
            let url = try await harness.engine.fetchFile(ref: ref, of: withFiles.id)
            let expected = try await Self.remoteBytes(ref: ref, of: withFiles, on: harness.emulator)
            #expect(try Data(contentsOf: url) == expected)
            harness.emulator.emulator.faults.update(FaultConfiguration())
        }
    }

    @Test("a file listed past the size cap is refused before download, typed, and nothing reaches the disk")
    func fileClaimPastCapRefused() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let conversation = try #require(produced.first { $0.files.contains { ($0["size"] as? Int ?? 0) > 100 } })
            let files = try await harness.engine.refreshFiles(of: conversation.id)
            let file = try #require(files.first { ($0.size ?? 0) > 100 })
            let limits = ContentLimits(maximumFileBytes: 100)
            let error = await #expect(throws: SyncError.self) {
                try await harness.engine.fetchFile(ref: file.ref, of: conversation.id, limits: limits)
            }
            #expect(error?.code == .remote)
            #expect(error?.remote?.code == .responseTooLarge)
            #expect(error?.remote?.field == "size")
            #expect(try await harness.replica.file(ref: file.ref)?.cachedPath == nil)
            let left = (try? FileManager.default.contentsOfDirectory(atPath: harness.replica.contentFolder.path)) ?? []
            #expect(left.isEmpty)
            // Within the cap (the default) the same file downloads whole.
            let url = try await harness.engine.fetchFile(ref: file.ref, of: conversation.id)
            #expect(try Data(contentsOf: url).count == Int(file.size ?? -1))
        }
    }

    @Test("a download that sends more than the cap is cut once past it and its partial bytes removed")
    func downloadPastCapIsCut() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let conversation = try #require(produced.first { $0.files.contains { ($0["size"] as? Int ?? 0) > 100 } })
            let files = try await harness.engine.refreshFiles(of: conversation.id)
            let file = try #require(files.first { ($0.size ?? 0) > 100 })
            // A listing that gave no size: only the bytes as they arrive can be held to the cap.
            try await harness.replica.recordFiles(
                files.map { FileInfo(ref: $0.ref, name: $0.name, contentType: $0.contentType, size: nil, direction: $0.direction) },
                conversationID: conversation.id)
            let error = await #expect(throws: SyncError.self) {
                try await harness.engine.fetchFile(
                    ref: file.ref, of: conversation.id, limits: ContentLimits(maximumFileBytes: 100))
            }
            #expect(error?.remote?.code == .responseTooLarge)
            #expect(error?.isRetryable == false)
            #expect(try await harness.replica.file(ref: file.ref)?.cachedPath == nil)
            let left = (try? FileManager.default.contentsOfDirectory(atPath: harness.replica.contentFolder.path)) ?? []
            #expect(left.isEmpty)
        }
    }

    @Test("a data frame listed with more rows than the cap is refused, typed, and none of its rows are cached")
    func frameClaimPastCapRefused() async throws {
        try await Self.withSyncedV2 { harness, produced in
            let conversation = try #require(produced.first { $0.frames.contains { (($0["rows"] as? [Any])?.count ?? 0) > 3 } })
            let name = try #require(
                conversation.frames.first { (($0["rows"] as? [Any])?.count ?? 0) > 3 }?["name"] as? String)
            let error = await #expect(throws: SyncError.self) {
                try await harness.engine.dataFrameSlice(
                    named: name, of: conversation.id, limit: 2, limits: ContentLimits(maximumFrameRows: 3))
            }
            #expect(error?.code == .remote)
            #expect(error?.remote?.code == .responseTooLarge)
            #expect(error?.remote?.field == "row_count")
            let stored = try await harness.replica.dataFrames(conversationID: conversation.id)
            #expect(stored.first { $0.name == name }?.rowsCached == false)
            let slice = try await harness.engine.dataFrameSlice(named: name, of: conversation.id, limit: 2)
            #expect(slice.rows.count == 2)
        }
    }

    @Test("a dialect without files or data frames is refused as unsupported", arguments: [Dialect.agentflow, .knowrithm, .turns])
    func unsupportedDialectRefused(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 2, turns: 2) { emulator in
                try await SyncHarness.with(dialect, on: emulator, in: folder) { harness in
                    let calls: [@Sendable (SyncEngine) async throws -> Void] = [
                        { _ = try await $0.refreshFiles(of: "conv_1") },
                        { _ = try await $0.fetchFile(ref: "file_1", of: "conv_1") },
                        { _ = try await $0.refreshDataFrames(of: "conv_1") },
                        { _ = try await $0.dataFrameSlice(named: "report", of: "conv_1") },
                    ]
                    for call in calls {
                        let error = await #expect(throws: SyncError.self) { try await call(harness.engine) }
                        #expect(error?.code == .unsupported)
                    }
                }
            }
        }
    }
}
