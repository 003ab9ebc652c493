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
        table.on(.get, "/agents", listAgents)
        table.on(.get, "/agents/{aid}/conversations", listConversations)
        table.on(.post, "/agents/{aid}/conversations", createConversation)
        table.on(.delete, "/agents/{aid}/conversations/{cid}", deleteConversation)
        table.on(.get, "/agents/{aid}/conversations/{cid}/messages", listMessages)
        table.on(.post, "/agents/{aid}/conversations/{cid}/messages", send)
        table.on(.post, "/agents/{aid}/conversations/{cid}/stream", stream)
        table.on(.get, "/agents/{aid}/conversations/{cid}/files", listFiles)
        table.on(.post, "/agents/{aid}/conversations/{cid}/files", uploadFiles)
        table.on(.get, "/agents/{aid}/conversations/{cid}/files/download", downloadFile)
        table.on(.get, "/agents/{aid}/conversations/{cid}/data-frames", listDataFrames)
        table.on(.get, "/agents/{aid}/conversations/{cid}/data-frames/{name}", getDataFrame)
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
        let limit = try request.pageSize()
        var agents = try await store.agents(tenantID: caller.tenantID)
        if let token = request.query("next") {
            let cursor = try KeysetCursor.decode(token, scope: "v2a")
            agents = agents.filter { $0.id > cursor.id }
        }
        let page = Array(agents.prefix(limit))
        let next: JSON = agents.count > limit && !page.isEmpty
            ? .string(KeysetCursor(scope: "v2a", time: 0, id: page[page.count - 1].id).encoded()) : .null
        return .json(.object([
            ("items", .array(page.map { .object([("id", .string($0.id)), ("name", .string($0.name))]) })),
            ("next", next),
        ]))
    }

    @Sendable func listConversations(_ request: Request, context: EmulatorContext) async throws -> Response {
        let caller = try context.requireCaller()
        let agentID = try context.parameters.require("aid")
        _ = try await store.agent(agentID, tenantID: caller.tenantID)
        var query = ConversationQuery(tenantID: caller.tenantID)
        query.agentID = agentID
        query.order = .createdAscending
        query.limit = try request.pageSize()
        let scope = "v2c"
        if let token = request.query("next") {
            let cursor = try KeysetCursor.decode(token, scope: scope)
            query.start = .after(time: cursor.time, id: cursor.id)
        }
        let (items, _) = try await store.page(query)
        var next: JSON = .null
        if items.count == query.limit, let last = items.last {
            var probe = query
            probe.start = .after(time: last.createdAt, id: last.id)
            probe.limit = 1
            if try await !store.page(probe).items.isEmpty {
                next = .string(KeysetCursor(scope: scope, time: last.createdAt, id: last.id).encoded())
            }
        }
        await services.churnAfterListing(tenantID: caller.tenantID, agentID: agentID)
        return .json(.object([("items", .array(items.map(Self.conversation))), ("next", next)]))
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
        let (tenantID, record) = try await scope(context)
        let limit = try request.pageSize()
        var after: Int64 = 0
        if let token = request.query("next") {
            let cursor = try KeysetCursor.decode(token, scope: "v2m:" + record.id)
            after = cursor.time
        }
        let all = try await store.detail(record.id, tenantID: tenantID).visibleMessages.filter { $0.message.ordinal > after }
        let page = Array(all.prefix(limit))
        let next: JSON = all.count > limit && !page.isEmpty
            ? .string(KeysetCursor(scope: "v2m:" + record.id, time: page[page.count - 1].message.ordinal, id: page[page.count - 1].message.id).encoded())
            : .null
        return .json(.object([("items", .array(page.map(Self.message))), ("next", next)]))
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

    static func file(_ record: FileRecord) -> JSON {
        .object([
            ("file_ref", .string(record.fileRef)),
            ("name", .string(record.name)),
            ("content_type", .string(record.contentType)),
            ("size", .int(Int64(record.bytes.count))),
            ("direction", .string(record.direction)),
        ])
    }

    @Sendable func listFiles(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        let files = try await store.files(conversationID: record.id, tenantID: tenantID)
        return .json(.object([("files", .array(files.map(Self.file)))]))
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
        return .json(.object([("files", .array(stored.map(Self.file)))]), status: .created)
    }

    @Sendable func downloadFile(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        guard let fileRef = request.query("file_ref"), !fileRef.isEmpty else {
            throw EmulatorError(.invalidRequest, "query parameter 'file_ref' is required")
        }
        let file = try await store.file(fileRef, conversationID: record.id, tenantID: tenantID)
        return Response(
            status: .ok,
            headers: [.contentType: file.contentType, .contentDisposition: "attachment"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: file.bytes)))
    }

    @Sendable func listDataFrames(_ request: Request, context: EmulatorContext) async throws -> Response {
        let (tenantID, record) = try await scope(context)
        let samples = try request.intQuery("num_samples", default: 5, in: 0...100)
        let frames = try await store.dataFrames(conversationID: record.id, tenantID: tenantID)
        return .json(.object([("data_frames", .array(frames.map { frame in
            .object([
                ("name", .string(frame.name)),
                ("columns", .array(frame.columns.map(JSON.string))),
                ("row_count", .int(Int64(frame.rows.count))),
                ("samples", .array(frame.rows.prefix(samples).map(JSON.array))),
            ])
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
