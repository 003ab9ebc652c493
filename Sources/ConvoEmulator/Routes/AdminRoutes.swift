import Foundation
import GRDB
import Hummingbird

/// `/_emulator/...`: loopback-only routes for tests and demos, mounted when enabled.
///
/// - `GET /truth?tenant=` — the store's truth for a tenant (see ``EmulatorStore/truth(tenantID:)``).
/// - `GET /faults`, `PUT /faults` — read or replace the faults in force (``FaultConfiguration``;
///   a key left out of a PUT is off). Keys: `seed`, `server_error_rate`, `rate_limit_rate`,
///   `retry_after_seconds` (0 allowed: `Retry-After: 0`), `latency_ms`, `cut_body_rate`,
///   `cut_stream_after_events`, `duplicate_events`, `churn_every`; the lies:
///   `empty_page_every`, `short_page_every`, `cursor_cycle`, `cursor_generation`, `expired_cursors_gone`,
///   `moving_total`, `absurd_total`, `hostile_ids`, `sse_hostile_ids`, `sse_retry_zero`,
///   `huge_sizes`, `missing_routes` (an array of ``FaultConfiguration/optionalRouteNames``).
/// - Mutations as another client would make them, under `/tenants/{tenant}/conversations`:
///   `POST` create `{"agent_id","title"?,"source"?,"source_ref_id"?}`;
///   `POST /{id}/turns {"content"}` append an exchange (user turn and finished reply);
///   `PATCH /{id} {"title"}` rename; `POST /{id}/delete` soft delete;
///   `POST /{id}/restore` restore; `DELETE /{id}` hard delete.
struct AdminRoutes {
    let services: EmulatorServices
    private var store: EmulatorStore { services.store }

    var table: RouteTable {
        var table = RouteTable()
        table.on(.get, "/truth", truth)
        table.on(.get, "/faults", getFaults)
        table.on(.put, "/faults", putFaults)
        table.on(.post, "/tenants/{tenant}/conversations", create)
        table.on(.post, "/tenants/{tenant}/conversations/{id}/turns", append)
        table.on(.patch, "/tenants/{tenant}/conversations/{id}", rename)
        table.on(.post, "/tenants/{tenant}/conversations/{id}/delete", softDelete)
        table.on(.post, "/tenants/{tenant}/conversations/{id}/restore", restore)
        table.on(.delete, "/tenants/{tenant}/conversations/{id}", hardDelete)
        return table
    }

    @Sendable func truth(_ request: Request, context: EmulatorContext) async throws -> Response {
        let tenant = request.query("tenant") ?? services.configuration.tenant
        return .json(try await store.truth(tenantID: tenant))
    }

    static func render(_ faults: FaultConfiguration) -> JSON {
        .object([
            ("seed", .int(Int64(bitPattern: faults.seed))),
            ("server_error_rate", .double(faults.serverErrorRate)),
            ("rate_limit_rate", .double(faults.rateLimitRate)),
            ("retry_after_seconds", .int(Int64(faults.retryAfterSeconds))),
            ("latency_ms", .int(faults.latency.components.seconds * 1000 + faults.latency.components.attoseconds / 1_000_000_000_000_000)),
            ("cut_body_rate", .double(faults.cutBodyRate)),
            ("cut_stream_after_events", faults.cutStreamAfterEvents.map { .int(Int64($0)) } ?? .null),
            ("duplicate_events", .bool(faults.duplicateEvents)),
            ("churn_every", faults.churnEvery.map { .int(Int64($0)) } ?? .null),
            ("empty_page_every", faults.emptyPageEvery.map { .int(Int64($0)) } ?? .null),
            ("short_page_every", faults.shortPageEvery.map { .int(Int64($0)) } ?? .null),
            ("cursor_cycle", .bool(faults.cursorCycle)),
            ("cursor_generation", .int(Int64(faults.cursorGeneration))),
            ("expired_cursors_gone", .bool(faults.expiredCursorsGone)),
            ("moving_total", .bool(faults.movingTotal)),
            ("absurd_total", .bool(faults.absurdTotal)),
            ("hostile_ids", .bool(faults.hostileIDs)),
            ("sse_hostile_ids", .bool(faults.sseHostileIDs)),
            ("sse_retry_zero", .bool(faults.sseRetryZero)),
            ("huge_sizes", .bool(faults.hugeSizes)),
            ("missing_routes", .array(faults.missingRoutes.sorted().map(JSON.string))),
        ])
    }

    @Sendable func getFaults(_ request: Request, context: EmulatorContext) async throws -> Response {
        .json(Self.render(services.faults.configuration))
    }

    @Sendable func putFaults(_ request: Request, context: EmulatorContext) async throws -> Response {
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: [
            "seed", "server_error_rate", "rate_limit_rate", "retry_after_seconds", "latency_ms", "cut_body_rate",
            "cut_stream_after_events", "duplicate_events", "churn_every",
            "empty_page_every", "short_page_every", "cursor_cycle", "cursor_generation", "expired_cursors_gone", "moving_total", "absurd_total",
            "hostile_ids", "sse_hostile_ids", "sse_retry_zero", "huge_sizes", "missing_routes",
        ])
        func rate(_ name: String) throws -> Double {
            guard let value = try body.optionalRate(name) else { return 0 }
            return value
        }
        var faults = FaultConfiguration()
        faults.seed = UInt64(bitPattern: try body.optionalInt("seed", in: Int64.min...Int64.max) ?? 1)
        faults.serverErrorRate = try rate("server_error_rate")
        faults.rateLimitRate = try rate("rate_limit_rate")
        faults.retryAfterSeconds = Int(try body.optionalInt("retry_after_seconds", in: 0...3600) ?? 1)
        faults.latency = .milliseconds(try body.optionalInt("latency_ms", in: 0...60_000) ?? 0)
        faults.cutBodyRate = try rate("cut_body_rate")
        faults.cutStreamAfterEvents = try body.optionalInt("cut_stream_after_events", in: 0...1_000_000).map { Int($0) }
        faults.duplicateEvents = try body.optionalBool("duplicate_events") ?? false
        faults.churnEvery = try body.optionalInt("churn_every", in: 1...1_000_000).map { Int($0) }
        faults.emptyPageEvery = try body.optionalInt("empty_page_every", in: 1...1_000_000).map { Int($0) }
        faults.shortPageEvery = try body.optionalInt("short_page_every", in: 1...1_000_000).map { Int($0) }
        faults.cursorCycle = try body.optionalBool("cursor_cycle") ?? false
        faults.cursorGeneration = Int(try body.optionalInt("cursor_generation", in: 0...Int64(Int32.max)) ?? 0)
        faults.expiredCursorsGone = try body.optionalBool("expired_cursors_gone") ?? false
        faults.movingTotal = try body.optionalBool("moving_total") ?? false
        faults.absurdTotal = try body.optionalBool("absurd_total") ?? false
        faults.hostileIDs = try body.optionalBool("hostile_ids") ?? false
        faults.sseHostileIDs = try body.optionalBool("sse_hostile_ids") ?? false
        faults.sseRetryZero = try body.optionalBool("sse_retry_zero") ?? false
        faults.hugeSizes = try body.optionalBool("huge_sizes") ?? false
        let missing = Set(try body.optionalStrings("missing_routes") ?? [])
        if let unknown = missing.subtracting(FaultConfiguration.optionalRouteNames).sorted().first {
            throw EmulatorError(.unprocessable, "unknown optional route '\(BodyReader.printable(unknown))' in 'missing_routes'")
        }
        faults.missingRoutes = missing
        services.faults.update(faults)
        return .json(Self.render(faults))
    }

    private func tenant(_ context: EmulatorContext) async throws -> String {
        let tenant = try context.parameters.require("tenant")
        guard try await store.database.read({ db in try TenantRecord.fetchOne(db, key: tenant) }) != nil else {
            throw EmulatorError(.invalidRequest, "no tenant \(BodyReader.printable(tenant))")
        }
        return tenant
    }

    @Sendable func create(_ request: Request, context: EmulatorContext) async throws -> Response {
        let tenantID = try await tenant(context)
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["agent_id", "title", "source", "source_ref_id"])
        let entityID = try await store.database.read { db in
            try CredentialRecord.filter(Column("tenant_id") == tenantID).fetchOne(db)?.entityID
        } ?? ""
        let record = try await store.createConversation(NewConversation(
            tenantID: tenantID, agentID: try body.requiredString("agent_id"), entityID: entityID,
            title: try body.optionalString("title"), source: try body.optionalString("source") ?? "api",
            sourceRefID: try body.optionalString("source_ref_id")))
        return .json(KnowrithmRoutes.conversation(record), status: .created)
    }

    @Sendable func append(_ request: Request, context: EmulatorContext) async throws -> Response {
        let tenantID = try await tenant(context)
        let id = try context.parameters.require("id")
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["content"])
        let outcome = try await services.replies.answer(
            conversationID: id, tenantID: tenantID, prompt: try body.requiredString("content"), streaming: false)
        return .json(.object([
            ("user_message_id", .string(outcome.userMessageID)),
            ("assistant_message_id", .string(outcome.assistantMessageID)),
            ("text", .string(outcome.text)),
        ]), status: .created)
    }

    @Sendable func rename(_ request: Request, context: EmulatorContext) async throws -> Response {
        let tenantID = try await tenant(context)
        var request = request
        let body = try BodyReader(try await request.jsonBody(), allowed: ["title"])
        let record = try await store.rename(try context.parameters.require("id"), tenantID: tenantID, title: try body.optionalString("title"))
        return .json(KnowrithmRoutes.conversation(record))
    }

    @Sendable func softDelete(_ request: Request, context: EmulatorContext) async throws -> Response {
        await .json(KnowrithmRoutes.conversation(try store.softDelete(try context.parameters.require("id"), tenantID: try tenant(context))))
    }

    @Sendable func restore(_ request: Request, context: EmulatorContext) async throws -> Response {
        await .json(KnowrithmRoutes.conversation(try store.restore(try context.parameters.require("id"), tenantID: try tenant(context))))
    }

    @Sendable func hardDelete(_ request: Request, context: EmulatorContext) async throws -> Response {
        _ = try await store.hardDelete(try context.parameters.require("id"), tenantID: try tenant(context))
        return Response(status: .noContent)
    }
}
