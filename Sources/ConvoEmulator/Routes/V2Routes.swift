import Foundation
import Hummingbird
import MultipartKit
import NIOCore

/// The v2 dialect (seed 001): per-agent conversations paged by `next` tokens, messages,
/// streamed replies as raw text deltas, files (multipart upload, download by
/// `file_ref`) and data frames. Deletes are hard; soft-deleted conversations are
/// invisible here.
struct V2Routes {
    let services: EmulatorServices
    private var store: EmulatorStore { services.store }

    var table: RouteTable {
        var table = RouteTable()
        table.on(.get, "/agents", optional: "agents", listAgents)
        table.on(.get, "/agents/{aid}/conversations", listConversations)
        table.on(.post, "/agents/{aid}/conversations", createConversation)
        table.on(.delete, "/agents/{aid}/conversations/{cid}", deleteConversation)
        table.on(.get, "/agents/{aid}/conversations/{cid}/messages", listMessages)
        table.on(.post, "/agents/{aid}/conversations/{cid}/messages", send)
        table.on(.post, "/agents/{aid}/conversations/{cid}/stream", stream)
        table.on(.get, "/agents/{aid}/conversations/{cid}/files", optional: "files", listFiles)
        table.on(.post, "/agents/{aid}/conversations/{cid}/files", optional: "files", uploadFiles)
        table.on(.get, "/agents/{aid}/conversations/{cid}/files/download", optional: "files", downloadFile)
        table.on(.get, "/agents/{aid}/conversations/{cid}/data-frames", optional: "data_frames", listDataFrames)
        table.on(.get, "/agents/{aid}/conversations/{cid}/data-frames/{name}", optional: "data_frames", getDataFrame)
        return table
    }

    static func conversation(_ record: ConversationRecord) -> JSON {
        .object([("id", .string(record.id)), ("name", .string(record.title ?? "")), ("agent_id", .string(record.agentID))])
    }

    static func message(_ detail: MessageDetail) -> JSON {
        .object([
            ("id", .string(detail.message.id)),
            ("role", .string(detail.message.role)),
            ("content", .string(detail.flatContent)),
            ("created_at", WireTime.json(detail.message.createdAt)),
        ])
    }

    /// The caller's tenant and the visible conversation named in the path, which must belong to the agent.
    private func scope(_ context: EmulatorContext) async throws -> (tenantID: String, conversation: ConversationRecord) {
        let caller = try context.requireCaller()
        let agentID = try context.parameters.require("aid")
        _ = try await store.agent(agentID, tenantID: caller.tenantID)
        let id = try context.parameters.require("cid")
        let record = try await store.conversation(id, tenantID: caller.tenantID)
        guard record.agentID == agentID, record.deletedAt == nil else {
            throw EmulatorError(.conversationNotFound, "no conversation \(BodyReader.printable(id)) for this agent")
        }
        return (caller.tenantID, record)
    }

    @Sendable func listAgents(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let lies = services.faults.beginListing(conversations: false)
        let limit = try request.pageSize()
        var agents = try await store.agents(tenantID: caller.tenantID)
        let requested = try lies.cursor(request.query("next"), scope: "v2a")
        if let requested { agents = agents.filter { $0.id > requested.id } }
        let page = Array(agents.prefix(limit))
        let next = lies.next(
            scope: "v2a", after: requested, last: page.last.map { KeysetCursor.Key(time: 0, id: $0.id) }, hasMore: agents.count > limit, cycles: false)
        let items = page.map { JSON.object([("id", .string($0.id)), ("name", .string($0.name))]) }
        return .json(.object([
            ("items", .array(lies.withFabricated(items, prefix: "agent_") { .object([("id", .string($0)), ("name", .string("Fabricated"))]) })),
            ("next", next.map(JSON.string) ?? .null),
        ]))
    }

    @Sendable func listConversations(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let lies = services.faults.beginListing(conversations: true)
        let agentID = try context.parameters.require("aid")
        _ = try await store.agent(agentID, tenantID: caller.tenantID)
        var query = ConversationQuery(tenantID: caller.tenantID)
        query.agentID = agentID
        query.order = .createdAscending
        query.limit = try request.pageSize()
        let scope = "v2c"
        let requested = try lies.cursor(request.query("next"), scope: scope)
        if let requested { query.start = .after(time: requested.time, id: requested.id) }
        let (items, _) = try await store.page(query)
        var hasMore = false
        if items.count == query.limit, let last = items.last {
            var probe = query
            probe.start = .after(time: last.createdAt, id: last.id)
            probe.limit = 1
            hasMore = try await !store.page(probe).items.isEmpty
        }
        let next = lies.next(scope: scope, after: requested, last: items.last.map { KeysetCursor.Key(time: $0.createdAt, id: $0.id) }, hasMore: hasMore)
        await services.churnAfterListing(lies, tenantID: caller.tenantID, agentID: agentID)
        let shown = lies.page(items).map(Self.conversation)
        return .json(.object([
            ("items", .array(lies.withFabricated(shown, prefix: "conv_") { id in
                .object([("id", .string(id)), ("name", .string("")), ("agent_id", .string(agentID))])
            })),
            ("next", next.map(JSON.string) ?? .null),
        ]))
    }

    @Sendable func createConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let agentID = try context.parameters.require("aid")
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["name"])
        let name = try body.requiredString("name", maxLength: 500)
        let record = try await store.createConversation(NewConversation(
            tenantID: caller.tenantID, agentID: agentID, entityID: caller.entityID, title: name))
        return .json(Self.conversation(record), status: .created)
    }

    @Sendable func deleteConversation(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        let deleted = try await store.hardDelete(record.id, tenantID: tenantID)
        return .json(Self.conversation(deleted))
    }

    @Sendable func listMessages(_ request: Request, context: EmulatorContext) async throws -> Response {
        let lies = services.faults.beginListing(conversations: false)
        let (tenantID, record) = try await scope(context)
        let limit = try request.pageSize()
        let scope = "v2m:" + record.id
        let requested = try lies.cursor(request.query("next"), scope: scope)
        let after = requested?.time ?? 0
        let all = try await store.detail(record.id, tenantID: tenantID).visibleMessages.filter { $0.message.ordinal > after }
        let page = Array(all.prefix(limit))
        let next = lies.next(
            scope: scope, after: requested, last: page.last.map { KeysetCursor.Key(time: $0.message.ordinal, id: $0.message.id) }, hasMore: all.count > limit)
        return .json(.object([
            ("items", .array(lies.withFabricated(page.map(Self.message), prefix: "msg_") { id in
                .object([("id", .string(id)), ("role", .string("assistant")), ("content", .string("")), ("created_at", WireTime.json(0))])
            })),
            ("next", next.map(JSON.string) ?? .null),
        ]))
    }

    private func prompt(_ request: Request) async throws -> String {
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["content"])
        return try body.requiredString("content")
    }

    @Sendable func send(_ request: Request, context: EmulatorContext) async throws -> Response {
        let content = try await prompt(request)
        let (tenantID, record) = try await scope(context)
        _ = try await services.replies.answer(conversationID: record.id, tenantID: tenantID, prompt: content, streaming: false)
        let detail = try await store.detail(record.id, tenantID: tenantID)
        return .json(.object([
            ("conversation", Self.conversation(detail.conversation)),
            ("messages", .array(detail.visibleMessages.map(Self.message))),
        ]))
    }

    @Sendable func stream(_ request: Request, context: EmulatorContext) async throws -> Response {
        let content = try await prompt(request)
        let (tenantID, record) = try await scope(context)
        let replies = services.replies
        return .eventStream(faults: services.faults.configuration) { events in
            let outcome = try await replies.answer(
                conversationID: record.id, tenantID: tenantID, prompt: content, streaming: true,
                emit: { delta in try await events.send(ServerSentEvent(data: delta)) })
            try await events.send(ServerSentEvent(event: "done", data: JSON.object([("message_id", .string(outcome.assistantMessageID))]).serializedString()))
        }
    }

    static func file(_ record: FileRecord, size: Int? = nil) -> JSON {
        file(ref: record.fileRef, name: record.name, contentType: record.contentType, size: size ?? record.bytes.count, direction: record.direction)
    }

    static func file(ref: String, name: String, contentType: String, size: Int, direction: String) -> JSON {
        .object([
            ("file_ref", .string(ref)),
            ("name", .string(name)),
            ("content_type", .string(contentType)),
            ("size", .int(Int64(size))),
            ("direction", .string(direction)),
        ])
    }

    @Sendable func listFiles(_ request: Request, context: EmulatorContext) async throws -> Response {
        let lies = services.faults.beginListing(conversations: false)
        let (tenantID, record) = try await scope(context)
        let files = try await store.files(conversationID: record.id, tenantID: tenantID).map { Self.file($0, size: lies.size($0.bytes.count)) }
        return .json(.object([("files", .array(lies.withFabricated(files, prefix: "file_") { ref in
            Self.file(ref: ref, name: "fabricated.txt", contentType: "text/plain", size: lies.size(0), direction: "output")
        }))]))
    }

    @Sendable func uploadFiles(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        guard let contentType = request.headers[.contentType], contentType.lowercased().hasPrefix("multipart/form-data") else {
            throw EmulatorError(.invalidRequest, "the body must be multipart/form-data")
        }
        guard let boundary = MultipartUpload.boundary(of: contentType) else {
            throw EmulatorError(.invalidRequest, "the multipart boundary is missing or invalid")
        }
        var request = request
        let body = try await request.bodyBytes(limit: EmulatorConfiguration.maxUploadBytes)
        let files = try MultipartUpload.files(in: body, boundary: boundary, field: "files")
        guard !files.isEmpty else { throw EmulatorError(.unprocessable, "no 'files' part in the upload") }
        let stored = try await store.addFiles(conversationID: record.id, tenantID: tenantID, files: files, direction: "input")
        return .json(.object([("files", .array(stored.map { Self.file($0) }))]), status: .created)
    }

    /// The bytes, always as `application/octet-stream` as the contract says (the file's own
    /// type is the listing's `content_type`).
    @Sendable func downloadFile(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        guard let fileRef = request.query("file_ref"), !fileRef.isEmpty else {
            throw EmulatorError(.invalidRequest, "query parameter 'file_ref' is required")
        }
        let file = try await store.file(fileRef, conversationID: record.id, tenantID: tenantID)
        return Response(
            status: .ok,
            headers: [.contentType: "application/octet-stream", .contentDisposition: "attachment"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    @Sendable func listDataFrames(_ request: Request, context: EmulatorContext) async throws -> Response {
        let lies = services.faults.beginListing(conversations: false)
        let (tenantID, record) = try await scope(context)
        let samples = try request.intQuery("num_samples", default: 5, in: 0...100)
        let frames = try await store.dataFrames(conversationID: record.id, tenantID: tenantID).map { frame in
            JSON.object([
                ("name", .string(frame.name)),
                ("columns", .array(frame.columns.map(JSON.string))),
                ("row_count", .int(Int64(lies.size(frame.rows.count)))),
                ("samples", .array(frame.rows.prefix(samples).map(JSON.array))),
            ])
        }
        return .json(.object([("data_frames", .array(lies.withFabricated(frames, prefix: "frame_") { name in
            .object([("name", .string(name)), ("columns", .array([])), ("row_count", .int(Int64(lies.size(0)))), ("samples", .array([]))])
        }))]))
    }

    @Sendable func getDataFrame(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        let name = try context.parameters.require("name")
        let offset = try request.positionQuery("offset", default: 0, minimum: 0)
        let limit = try request.pageSize()
        let format = request.query("output_format") ?? "json"
        guard format == "json" || format == "csv" else {
            throw EmulatorError(.invalidRequest, "output_format must be json or csv")
        }
        let frame = try await store.dataFrame(name, conversationID: record.id, tenantID: tenantID)
        var columnIndexes = Array(frame.columns.indices)
        if let names = request.query("column_names"), !names.isEmpty {
            columnIndexes = try names.split(separator: ",", omittingEmptySubsequences: false).map { column in
                guard let index = frame.columns.firstIndex(of: String(column)) else {
                    throw EmulatorError(.invalidRequest, "unknown column '\(BodyReader.printable(String(column)))'")
                }
                return index
            }
        }
        var rows = frame.rows
        if let orderBy = request.query("order_by"), !orderBy.isEmpty {
            let descending = orderBy.hasPrefix("-")
            let column = descending ? String(orderBy.dropFirst()) : orderBy
            guard let index = frame.columns.firstIndex(of: column) else {
                throw EmulatorError(.invalidRequest, "unknown order_by column '\(BodyReader.printable(column))'")
            }
            rows = rows.enumerated().sorted { lhs, rhs in
                let left = lhs.element.indices.contains(index) ? lhs.element[index] : .null
                let right = rhs.element.indices.contains(index) ? rhs.element[index] : .null
                if left == right { return lhs.offset < rhs.offset }
                return descending ? DataFrameOrder.less(right, left) : DataFrameOrder.less(left, right)
            }.map(\.element)
        }
        let slice = rows.dropFirst(offset).prefix(limit).map { row in
            columnIndexes.map { row.indices.contains($0) ? row[$0] : .null }
        }
        let columns = columnIndexes.map { frame.columns[$0] }
        if format == "csv" {
            return Response(
                status: .ok, headers: [.contentType: "text/csv"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ReportBuilder.csv(columns: columns, rows: Array(slice)))))
        }
        return .json(.object([
            ("name", .string(frame.name)),
            ("columns", .array(columns.map(JSON.string))),
            ("row_count", .int(Int64(frame.rows.count))),
            ("offset", .int(Int64(offset))),
            ("rows", .array(slice.map(JSON.array))),
        ]))
    }
}

/// How data frame cells compare for `order_by`: null first, then numbers, then strings.
enum DataFrameOrder {
    static func less(_ left: JSON, _ right: JSON) -> Bool {
        func rank(_ value: JSON) -> Int {
            switch value {
            case .null: return 0
            case .bool: return 1
            case .int, .double: return 2
            case .string: return 3
            default: return 4
            }
        }
        func number(_ value: JSON) -> Double? {
            switch value {
            case .int(let number): return Double(number)
            case .double(let number): return number
            default: return nil
            }
        }
        if rank(left) != rank(right) { return rank(left) < rank(right) }
        if let a = number(left), let b = number(right) { return a < b }
        if case .string(let a) = left, case .string(let b) = right { return a < b }
        if case .bool(let a) = left, case .bool(let b) = right { return !a && b }
        return left.serializedString() < right.serializedString()
    }
}
