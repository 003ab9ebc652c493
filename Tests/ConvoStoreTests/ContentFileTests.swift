import ConvoModel
@testable import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Content: files")
struct ContentFileTests {
    typealias T = ReplicaTesting

    struct CutConnection: Error {}

    /// `bytes` in chunks of `chunkSize`, then the end.
    static func chunks(_ bytes: [UInt8], chunkSize: Int = 7) -> AsyncStream<[UInt8]> {
        AsyncStream { continuation in
            var start = 0
            while start < bytes.count {
                continuation.yield(Array(bytes[start..<min(start + chunkSize, bytes.count)]))
                start += chunkSize
            }
            continuation.finish()
        }
    }

    /// The first `prefix` bytes, then the connection fails.
    static func cut(_ bytes: [UInt8], after prefix: Int) -> AsyncThrowingStream<[UInt8], any Error> {
        AsyncThrowingStream { continuation in
            continuation.yield(Array(bytes.prefix(prefix)))
            continuation.finish(throwing: CutConnection())
        }
    }

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func info(_ ref: String, name: String = "notes.txt", size: Int?, direction: FileDirection = .output) -> FileInfo {
        FileInfo(ref: ref, name: name, contentType: "text/plain", size: size.map { Int64($0) }, direction: direction)
    }

    /// Runs `body` with a replica holding conversation `c1`.
    static func withConversation<R>(_ body: (Replica) async throws -> R) async throws -> R {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            return try await body(replica)
        }
    }

    /// Every entry below `folder`, relative, sorted.
    static func entries(of folder: URL) -> [String] {
        let names = (try? FileManager.default.subpathsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted()
    }

    static func isInside(_ url: URL, _ folder: URL) -> Bool {
        let resolved = url.standardizedFileURL.resolvingSymlinksInPath().path
        let base = folder.standardizedFileURL.resolvingSymlinksInPath().path
        return resolved.hasPrefix(base + "/")
    }

    @Test("hostile names and refs never become paths: cached bytes always land inside the replica's folder")
    func hostileNamesStayInside() async throws {
        try await Self.withConversation { replica in
            let hostile: [(ref: String, name: String)] = [
                ("file_1", "../../etc/passwd"),
                ("file_2", "/abs"),
                ("file_3", String(repeating: "é", count: 150)),
                ("file_4", "tab\there\u{0}nul\u{1B}[31mred\nline"),
                ("file_5", "notes.txt"),
                ("file_6", "notes.txt"),
                ("../../escape", ".."),
                ("/etc/passwd", "."),
                ("ref\n\u{7F}\u{1B}", "ok.txt"),
                ("..", "dots"),
                (String(repeating: "r", count: 300), "long ref"),
            ]
            let files = hostile.enumerated().map { index, file in
                Self.info(file.ref, name: file.name, size: "content \(index)".utf8.count)
            }
            let recorded = try await replica.recordFiles(files, conversationID: "c1")
            // Every character of a name is kept, but a NUL (SQLite text cannot hold one) shows as U+FFFD.
            let kept = hostile.map { $0.name.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") }
            #expect(recorded.map(\.name) == kept)
            #expect(recorded.allSatisfy { $0.cachedURL == nil })

            for (index, file) in hostile.enumerated() {
                let stored = try await replica.cacheFileBytes(ref: file.ref, from: Self.chunks(Self.bytes("content \(index)")))
                let url = try #require(stored.cachedURL)
                let path = try #require(stored.cachedPath)
                #expect(Self.isInside(url, replica.contentFolder), "\(url.path)")
                #expect(!path.hasPrefix("/") && !path.contains(".."))
                #expect(path.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 })
                #expect(path.utf8.count < 255)
                #expect(try Data(contentsOf: url) == Data("content \(index)".utf8))
                #expect(stored.name == kept[index])
            }
            let listed = try await replica.files(conversationID: "c1")
            #expect(Set(listed.compactMap(\.cachedPath)).count == hostile.count)
            // The replica's folder holds the replica (and its WAL files) and the content folder, nothing else.
            let outside = Self.entries(of: replica.folder).filter { !$0.hasPrefix(replica.contentFolder.lastPathComponent) }
            #expect(outside.allSatisfy { $0.hasPrefix("test.convosync") }, "\(outside)")
            #expect(Self.entries(of: replica.contentFolder).count == hostile.count)
            let looked = try #require(try await replica.file(ref: "../../escape"))
            #expect(looked.cachedURL == listed[6].cachedURL)
        }
    }

    @Test("a ref holding NUL is refused, never confused with the ref before the NUL")
    func nulInRefRefused() async throws {
        try await Self.withConversation { replica in
            try await replica.recordFiles([Self.info("file_a", size: 2)], conversationID: "c1")
            let error = await #expect(throws: StoreError.self) {
                try await replica.recordFiles([Self.info("file_a\u{0}evil", size: 1)], conversationID: "c1")
            }
            #expect(error?.code == .invalidArgument)
            #expect(try await replica.file(ref: "file_a\u{0}evil") == nil)
            let missing = await #expect(throws: StoreError.self) {
                try await replica.cacheFileBytes(ref: "file_a\u{0}evil", from: Self.chunks([1, 2]))
            }
            #expect(missing?.code == .notFound)
            #expect(try await replica.file(ref: "file_a")?.cachedPath == nil)
        }
    }

    @Test("a stream cut part-way leaves no file and no row change; earlier cached bytes stay")
    func cutStreamLeavesNothing() async throws {
        try await Self.withConversation { replica in
            let content = Self.bytes(String(repeating: "report line\n", count: 50))
            try await replica.recordFiles([Self.info("file_a", size: content.count)], conversationID: "c1")

            await #expect(throws: CutConnection.self) {
                try await replica.cacheFileBytes(ref: "file_a", from: Self.cut(content, after: 100))
            }
            #expect(try await replica.file(ref: "file_a")?.cachedPath == nil)
            #expect(Self.entries(of: replica.contentFolder).isEmpty)

            let first = try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks(content))
            await #expect(throws: CutConnection.self) {
                try await replica.cacheFileBytes(ref: "file_a", from: Self.cut(content, after: 10))
            }
            let after = try #require(try await replica.file(ref: "file_a"))
            #expect(after == first)
            #expect(try Data(contentsOf: try #require(after.cachedURL)) == Data(content))
            #expect(Self.entries(of: replica.contentFolder).count == 1)
        }
    }

    @Test("a partial file a killed process left long ago is removed by the next download; a recent one stays")
    func stalePartialsRemoved() async throws {
        try await Self.withConversation { replica in
            try FileManager.default.createDirectory(at: replica.contentFolder, withIntermediateDirectories: true)
            let old = replica.contentFolder.appendingPathComponent(".partial-old")
            let recent = replica.contentFolder.appendingPathComponent(".partial-recent")
            try Data([1]).write(to: old)
            try Data([2]).write(to: recent)
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-3 * 3600)], ofItemAtPath: old.path)
            try await replica.recordFiles([Self.info("file_a", size: 2)], conversationID: "c1")
            let stored = try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks([1, 2]))
            #expect(!FileManager.default.fileExists(atPath: old.path))
            #expect(FileManager.default.fileExists(atPath: recent.path))
            #expect(Self.entries(of: replica.contentFolder) == [".partial-recent", try #require(stored.cachedURL).lastPathComponent].sorted())
        }
    }

    @Test("bytes that do not add up to the recorded size are refused and leave nothing", arguments: [-1, 1])
    func wrongSizeRefused(difference: Int) async throws {
        try await Self.withConversation { replica in
            let content = Self.bytes("exactly these bytes")
            try await replica.recordFiles([Self.info("file_a", size: content.count + difference)], conversationID: "c1")
            let error = await #expect(throws: StoreError.self) {
                try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks(content, chunkSize: 3))
            }
            #expect(error?.code == .invalidArgument)
            #expect(try await replica.file(ref: "file_a")?.cachedPath == nil)
            #expect(Self.entries(of: replica.contentFolder).isEmpty)
        }
    }

    @Test("a file without a recorded size takes the bytes as they come; an unknown ref is not found")
    func unknownSizeAndUnknownRef() async throws {
        try await Self.withConversation { replica in
            try await replica.recordFiles([Self.info("file_a", size: nil)], conversationID: "c1")
            let stored = try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks(Self.bytes("any length")))
            #expect(try Data(contentsOf: try #require(stored.cachedURL)) == Data("any length".utf8))
            #expect(stored.cachedAt != nil)

            let error = await #expect(throws: StoreError.self) {
                try await replica.cacheFileBytes(ref: "file_missing", from: Self.chunks([1, 2, 3]))
            }
            #expect(error?.code == .notFound)
            #expect(try await replica.file(ref: "file_missing") == nil)
            let unknown = await #expect(throws: StoreError.self) { try await replica.files(conversationID: "nope") }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test("recording a listing upserts by ref and removes unlisted files with their cached bytes")
    func listingUpsertsAndRemoves() async throws {
        try await Self.withConversation { replica in
            try await replica.recordFiles(
                [Self.info("file_a", size: 3), Self.info("file_b", size: 3), Self.info("file_c", size: 3)],
                conversationID: "c1")
            let a = try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks([1, 2, 3]))
            let b = try await replica.cacheFileBytes(ref: "file_b", from: Self.chunks([4, 5, 6]))
            _ = try await replica.cacheFileBytes(ref: "file_c", from: Self.chunks([7, 8, 9]))

            // a is gone from the remote, b is renamed, c changed size, d is new; d is listed twice.
            let listed = try await replica.recordFiles(
                [Self.info("file_b", name: "renamed.txt", size: 3), Self.info("file_c", size: 4),
                 Self.info("file_d", name: "first", size: 1), Self.info("file_d", name: "second", size: 1)],
                conversationID: "c1")
            #expect(listed.map(\.ref) == ["file_b", "file_c", "file_d"])
            #expect(listed.map(\.name) == ["renamed.txt", "notes.txt", "second"])
            #expect(listed[0].cachedURL == b.cachedURL)
            #expect(listed[1].cachedPath == nil)
            #expect(try await replica.file(ref: "file_a") == nil)
            #expect(!FileManager.default.fileExists(atPath: try #require(a.cachedURL).path))
            #expect(Self.entries(of: replica.contentFolder).count == 1)

            // An upload's files are added without a full listing: nothing else goes.
            try await replica.recordFiles(
                [Self.info("file_e", size: 2, direction: .input)], conversationID: "c1", removingUnlisted: false)
            let all = try await replica.files(conversationID: "c1")
            #expect(all.map(\.ref) == ["file_b", "file_c", "file_d", "file_e"])
            #expect(all.last?.direction == .input)
        }
    }

    @Test("an empty ref or a negative size is refused and nothing of the listing is written")
    func badListingRefused() async throws {
        try await Self.withConversation { replica in
            for bad in [Self.info("", size: 1), Self.info("file_x", size: -1)] {
                let error = await #expect(throws: StoreError.self) {
                    try await replica.recordFiles([Self.info("file_ok", size: 1), bad], conversationID: "c1")
                }
                #expect(error?.code == .invalidArgument)
            }
            let remaining = try await replica.files(conversationID: "c1")
            #expect(remaining.isEmpty)
            let missing = await #expect(throws: StoreError.self) {
                try await replica.recordFiles([Self.info("file_ok", size: 1)], conversationID: "nope")
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("purging a conversation removes its files and their cached bytes")
    func purgeRemovesCachedBytes() async throws {
        try await Self.withConversation { replica in
            try await replica.recordFiles([Self.info("file_a", name: "../../a", size: 2)], conversationID: "c1")
            let stored = try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks([1, 2]))
            let url = try #require(stored.cachedURL)
            #expect(FileManager.default.fileExists(atPath: url.path))
            try await replica.markPurged(conversationID: "c1", at: Date(), syncState: nil)
            #expect(!FileManager.default.fileExists(atPath: url.path))
            #expect(try await replica.file(ref: "file_a") == nil)
        }
    }

    @Test("a replica whose file name holds '..' still caches inside its own folder")
    func replicaNameWithDots() async throws {
        try await withTemporaryDirectory { folder in
            let replica = try Replica.open(at: folder.appendingPathComponent("team..q3..convosync").path, account: T.account)
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.recordFiles([Self.info("file_a", size: 2)], conversationID: "c1")
            let stored = try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks([1, 2]))
            let path = try #require(stored.cachedPath)
            #expect(!path.contains(".."))
            #expect(Self.isInside(try #require(stored.cachedURL), folder))
            #expect(try Data(contentsOf: try #require(stored.cachedURL)) == Data([1, 2]))
        }
    }

    @Test("a symbolic link in place of the content folder is refused: no byte lands where it points")
    func symlinkedContentFolderRefused() async throws {
        try await withTemporaryDirectory { elsewhere in
            try await Self.withConversation { replica in
                try FileManager.default.createSymbolicLink(at: replica.contentFolder, withDestinationURL: elsewhere)
                try await replica.recordFiles([Self.info("file_a", size: 2)], conversationID: "c1")
                let error = await #expect(throws: StoreError.self) {
                    try await replica.cacheFileBytes(ref: "file_a", from: Self.chunks([1, 2]))
                }
                #expect(error?.code == .database)
                #expect(Self.entries(of: elsewhere).isEmpty)
                #expect(try await replica.file(ref: "file_a")?.cachedPath == nil)
            }
        }
    }
}
