import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

@Suite("Content: data frames")
struct ContentDataFrameTests {
    typealias T = ReplicaTesting

    static let columns = ["account", "amount", "won"]
    /// Mixed cells on purpose: nulls, integers and fractions, text, booleans, and ties.
    static let rows: [[JSONValue]] = [
        [.string("Acme"), .int(500), .bool(true)],
        [.string("Hooli"), .null, .bool(false)],
        [.string("Globex"), .double(20.5), .null],
        [.null, .int(20), .bool(true)],
        [.string("Initech"), .int(500), .bool(false)],
        [.string("acme"), .string("n/a"), .bool(true)],
    ]

    static func withFrame<R>(_ body: (Replica) async throws -> R) async throws -> R {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            try await replica.recordDataFrames(
                [DataFrameInfo(name: "report", columns: columns, rowCount: rows.count, samples: Array(rows.prefix(2)))],
                conversationID: "c1")
            return try await body(replica)
        }
    }

    @Test("partial samples are not kept; the whole frame cached answers slices with no network")
    func cachingRows() async throws {
        try await Self.withFrame { replica in
            let listed = try await replica.dataFrames(conversationID: "c1")
            #expect(listed.map(\.name) == ["report"])
            #expect(listed.first?.rowsCached == false)
            #expect(listed.first?.rowCount == Self.rows.count)
            #expect(try await replica.dataFrameSlice(name: "report", conversationID: "c1") == nil)

            let cached = try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: Self.rows)
            #expect(cached.rowsCached && cached.cachedAt != nil)
            let slice = try #require(try await replica.dataFrameSlice(name: "report", conversationID: "c1"))
            #expect(slice.columns == Self.columns)
            #expect(slice.rows == Self.rows)
            #expect(slice.rowCount == Self.rows.count)
        }
    }

    @Test("complete samples in a listing become the cached rows")
    func completeSamplesAreCached() async throws {
        try await T.withReplica { replica in
            try await replica.upsertConversations([T.conversation("c1")], pass: nil, syncState: nil)
            let frames = try await replica.recordDataFrames(
                [DataFrameInfo(name: "small", columns: Self.columns, rowCount: Self.rows.count, samples: Self.rows),
                 DataFrameInfo(name: "empty", columns: ["a"], rowCount: 0, samples: [])],
                conversationID: "c1")
            #expect(frames.map(\.name) == ["empty", "small"])
            #expect(frames.allSatisfy { $0.rowsCached })
            let slice = try #require(try await replica.dataFrameSlice(name: "small", conversationID: "c1", offset: 4, limit: 10))
            #expect(slice.rows == Array(Self.rows.dropFirst(4)))
            #expect(try await replica.dataFrameSlice(name: "empty", conversationID: "c1")?.rows == [])
        }
    }

    @Test("a slice orders nulls first, then booleans, numbers and text, ties by row position; descending reverses")
    func ordering() async throws {
        try await Self.withFrame { replica in
            try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: Self.rows)
            func accounts(_ orderBy: String?, descending: Bool = false, offset: Int = 0, limit: Int = 100) async throws -> [JSONValue] {
                let slice = try #require(try await replica.dataFrameSlice(
                    name: "report", conversationID: "c1", offset: offset, limit: limit, columns: ["account"],
                    orderBy: orderBy, descending: descending))
                #expect(slice.columns == ["account"])
                return slice.rows.map { $0[0] }
            }
            // amount: null (Hooli), 20 (null account), 20.5 (Globex), 500 (Acme), 500 (Initech), "n/a" (acme).
            #expect(try await accounts("amount") == [.string("Hooli"), .null, .string("Globex"), .string("Acme"), .string("Initech"), .string("acme")])
            // Descending keeps ties in row position order: Acme before Initech.
            #expect(try await accounts("amount", descending: true) == [.string("acme"), .string("Acme"), .string("Initech"), .string("Globex"), .null, .string("Hooli")])
            #expect(try await accounts("account") == [.null, .string("Acme"), .string("Globex"), .string("Hooli"), .string("Initech"), .string("acme")])
            #expect(try await accounts("won") == [.string("Globex"), .string("Hooli"), .string("Initech"), .string("Acme"), .null, .string("acme")])
            #expect(try await accounts(nil, descending: true, offset: 1, limit: 2) == [.string("Initech"), .null])
            #expect(try await accounts("amount", offset: 2, limit: 2) == [.string("Globex"), .string("Acme")])
            #expect(try await accounts("amount", offset: 6) == [])
        }
    }

    @Test("columns come in the order asked, repeated if asked twice")
    func columnSelection() async throws {
        try await Self.withFrame { replica in
            try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: Self.rows)
            let slice = try #require(try await replica.dataFrameSlice(
                name: "report", conversationID: "c1", limit: 2, columns: ["won", "account", "won"]))
            #expect(slice.columns == ["won", "account", "won"])
            #expect(slice.rows == [[.bool(true), .string("Acme"), .bool(true)], [.bool(false), .string("Hooli"), .bool(false)]])
        }
    }

    @Test("unknown columns, an unknown order, no columns, a negative offset or a limit out of range are invalid queries")
    func badQueries() async throws {
        try await Self.withFrame { replica in
            try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: Self.rows)
            let bad: [(offset: Int, limit: Int, columns: [String]?, orderBy: String?)] = [
                (0, 10, ["account", "nope"], nil), (0, 10, [], nil), (0, 10, nil, "nope"), (0, 10, nil, ""),
                (-1, 10, nil, nil), (0, 0, nil, nil), (0, Replica.maximumSliceRows + 1, nil, nil),
                (0, 10, ["account; DROP TABLE file"], nil),
            ]
            for query in bad {
                let error = await #expect(throws: StoreError.self) {
                    try await replica.dataFrameSlice(
                        name: "report", conversationID: "c1", offset: query.offset, limit: query.limit,
                        columns: query.columns, orderBy: query.orderBy)
                }
                #expect(error?.code == .invalidQuery)
            }
            for name in ["other", "report\u{0}x"] {
                let missing = await #expect(throws: StoreError.self) {
                    try await replica.dataFrameSlice(name: name, conversationID: "c1")
                }
                #expect(missing?.code == .notFound)
            }
        }
    }

    @Test("rows that do not fit the columns are refused and the cache stays as it was")
    func badRowsRefused() async throws {
        try await Self.withFrame { replica in
            try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: Self.rows)
            for bad: [[JSONValue]] in [[[.string("short")]], [[.array([]), .int(1), .null]], [[.object([:]), .int(1), .null]]] {
                let error = await #expect(throws: StoreError.self) {
                    try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: bad)
                }
                #expect(error?.code == .invalidArgument)
            }
            #expect(try await replica.dataFrameSlice(name: "report", conversationID: "c1")?.rows == Self.rows)
            let missing = await #expect(throws: StoreError.self) {
                try await replica.cacheDataFrameRows(name: "other", conversationID: "c1", rows: [])
            }
            #expect(missing?.code == .notFound)
        }
    }

    @Test("a relisted frame keeps its rows while its shape holds, loses them when it changes; unlisted frames go")
    func relisting() async throws {
        try await Self.withFrame { replica in
            try await replica.recordDataFrames(
                [DataFrameInfo(name: "other", columns: ["x"], rowCount: 1)], conversationID: "c1")
            #expect(try await replica.dataFrames(conversationID: "c1").map(\.name) == ["other"])

            try await replica.recordDataFrames(
                [DataFrameInfo(name: "report", columns: Self.columns, rowCount: Self.rows.count)], conversationID: "c1")
            try await replica.cacheDataFrameRows(name: "report", conversationID: "c1", rows: Self.rows)
            try await replica.recordDataFrames(
                [DataFrameInfo(name: "report", columns: Self.columns, rowCount: Self.rows.count)], conversationID: "c1")
            #expect(try await replica.dataFrames(conversationID: "c1").first?.rowsCached == true)

            try await replica.recordDataFrames(
                [DataFrameInfo(name: "report", columns: Self.columns, rowCount: Self.rows.count + 1)], conversationID: "c1")
            #expect(try await replica.dataFrames(conversationID: "c1").first?.rowsCached == false)
            #expect(try await replica.dataFrameSlice(name: "report", conversationID: "c1") == nil)

            let error = await #expect(throws: StoreError.self) {
                try await replica.recordDataFrames([DataFrameInfo(name: "", columns: [], rowCount: 0)], conversationID: "c1")
            }
            #expect(error?.code == .invalidArgument)
        }
    }

    @Test("purging a conversation drops its data frames")
    func purgeDropsFrames() async throws {
        try await Self.withFrame { replica in
            try await replica.markPurged(conversationID: "c1", at: Date(), syncState: nil)
            let error = await #expect(throws: StoreError.self) { try await replica.dataFrames(conversationID: "c1") }
            #expect(error?.code == .notFound)
        }
    }
}
