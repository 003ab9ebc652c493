import Foundation
import Testing
import TestSupport

/// Pins down the contract validator itself on a small document of its own.
@Suite("OpenAPI contract validator")
struct OpenAPIContractTests {
    let contract: OpenAPIContract

    init() throws {
        contract = try OpenAPIContract(contentsOf: Fixtures.url("contract/validator.openapi.json"))
    }

    /// A valid item; tests change one member at a time.
    private func item(_ changes: [String: Any?] = [:]) -> [String: Any] {
        var item: [String: Any] = [
            "id": "item_00af", "name": "Widget", "role": "user", "count": 3, "kind": "item",
            "created_at": "2026-03-01T09:30:00.250Z", "tags": ["color": "blue"],
        ]
        for (key, value) in changes {
            item[key] = value  // nil removes the member
        }
        return item
    }

    private func json(_ object: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])
    }

    private func getItem(_ body: Any) throws -> [ContractViolation] {
        contract.validateResponse(method: "GET", path: "/items/item_00af", status: 200, contentType: "application/json", body: try json(body))
    }

    @Test("a conforming body has no violations")
    func conformingBodyPasses() throws {
        #expect(try getItem(item()) == [])
        #expect(try getItem(item(["count": NSNull()])) == [], "a type array admits null")
    }

    @Test("a missing required member is reported at its path")
    func missingRequiredMember() throws {
        let page = ["items": [item(), item(["name": nil])]]
        let violations = contract.validateResponse(method: "GET", path: "/items?q=x", status: 200, contentType: "application/json", body: try json(page))
        #expect(violations == [ContractViolation(path: "/items/1/name", message: "missing required member")])
    }

    @Test("a wrong type is reported with the expected and actual types")
    func wrongType() throws {
        let violations = try getItem(item(["count": "3"]))
        #expect(violations.map(\.description) == ["/count: expected integer or null, got string"])
        let nullName = try getItem(item(["name": NSNull()]))
        #expect(nullName.map(\.description) == ["/name: expected string, got null"])
        #expect(try getItem(item(["count": 2.5])).map(\.path) == ["/count"], "2.5 is not an integer")
        #expect(try getItem(item(["count": 4.0])) == [], "4.0 is an integer")
        #expect(try getItem(item(["count": true])).map(\.path) == ["/count"], "a boolean is not an integer")
    }

    @Test("an unknown enum value is reported with the allowed values")
    func unknownEnumValue() throws {
        let violations = try getItem(item(["role": "system"]))
        #expect(violations.map(\.description) == [#"/role: unknown value "system", expected one of "user", "assistant""#])
    }

    @Test("const, bounds, lengths, patterns and unknown members are enforced")
    func scalarKeywords() throws {
        #expect(try getItem(item(["kind": "thing"])).map(\.path) == ["/kind"])
        #expect(try getItem(item(["count": -1])).map(\.path) == ["/count"])
        #expect(try getItem(item(["name": ""])).map(\.path) == ["/name"])
        #expect(try getItem(item(["name": "Elevenchars"])).map(\.path) == ["/name"])
        #expect(try getItem(item(["id": "item_00AF"])).map(\.path) == ["/id"])
        #expect(try getItem(item(["owner": "dana"])).map(\.description) == ["/owner: unknown member"])
        #expect(try getItem(item(["tags": ["color": 7]])).map(\.path) == ["/tags/color"], "additionalProperties as a schema")
        let page = ["items": [item(), item(), item(), item()]]
        let tooMany = contract.validateResponse(method: "GET", path: "/items", status: 200, contentType: "application/json", body: try json(page))
        #expect(tooMany.map(\.path) == ["/items"])
    }

    @Test("date-time must be RFC 3339", arguments: [
        ("2026-03-01T09:30:00Z", true), ("2026-03-01T09:30:00.250Z", true), ("2026-03-01T10:30:00+01:00", true),
        ("2024-02-29T00:00:00Z", true), ("2026-02-29T00:00:00Z", false), ("2026-03-01 09:30:00Z", false),
        ("2026-03-01T09:30:00", false), ("2026-13-01T09:30:00Z", false), ("2026-03-01T24:00:00Z", false),
        ("1 March 2026", false),
    ])
    func dateTimeFormat(text: String, valid: Bool) throws {
        #expect(try getItem(item(["created_at": text])).isEmpty == valid)
    }

    @Test("a recursive schema validates deep values and a pure $ref cycle ends with a violation")
    func referenceCyclesTerminate() throws {
        let leaf: [String: Any] = ["name": "leaf", "children": []]
        let tree: [String: Any] = ["name": "root", "children": [["name": "a", "children": [leaf, ["name": 3, "children": []]]]]]
        let violations = contract.validateResponse(method: "GET", path: "/tree", status: 200, contentType: "application/json", body: try json(tree))
        #expect(violations.map(\.path) == ["/children/0/children/1/name"])

        let loop = contract.validateResponse(method: "GET", path: "/loop", status: 200, contentType: "application/json", body: try json(["a": 1]))
        #expect(loop.count == 1)
        #expect(loop.first?.message.contains("$ref cycle") == true)
    }

    @Test("oneOf needs exactly one branch, anyOf at least one, allOf all; failures name the field")
    func combinators() throws {
        func shape(_ body: [String: Any]) throws -> [ContractViolation] {
            contract.validateResponse(method: "GET", path: "/shapes", status: 200, contentType: "application/json", body: try json(body))
        }
        #expect(try shape(["shape": "circle", "radius": 2]) == [])
        #expect(try shape(["shape": "square", "side": 1.5]) == [])
        let zeroRadius = try shape(["shape": "circle", "radius": 0])
        #expect(zeroRadius.contains { $0.path == "/radius" })
        #expect(zeroRadius.contains { $0.message.contains("oneOf") })
        let noShape = try shape(["radius": 2])
        #expect(noShape.contains { $0.path == "/shape" && $0.message == "missing required member" })
    }

    @Test("an undeclared status is a violation")
    func undeclaredStatus() throws {
        let body = try json(["error": ["code": "teapot", "message": "no"]])
        let violations = contract.validateResponse(method: "GET", path: "/items/item_00af", status: 418, contentType: "application/json", body: body)
        #expect(violations.count == 1)
        #expect(violations.first?.message.contains("status 418 is not declared") == true)
    }

    @Test("content type and empty bodies are checked")
    func contentTypes() throws {
        #expect(contract.validateResponse(method: "GET", path: "/items/item_00af", status: 200, contentType: "application/json; charset=utf-8", body: try json(item())) == [])
        let html = contract.validateResponse(method: "GET", path: "/items/item_00af", status: 200, contentType: "text/html", body: Data("<html></html>".utf8))
        #expect(html.map(\.path) == [""])
        let truncated = contract.validateResponse(method: "GET", path: "/items/item_00af", status: 200, contentType: "application/json", body: Data(#"{"id": "item_00af", "na"#.utf8))
        #expect(truncated.map(\.message) == ["the body is not valid JSON (23 bytes)"])
        #expect(contract.validateResponse(method: "DELETE", path: "/items/item_00af", status: 204, contentType: nil, body: Data()) == [])
        #expect(contract.validateResponse(method: "DELETE", path: "/items/item_00af", status: 204, contentType: nil, body: Data("x".utf8)).count == 1)
    }

    @Test("required response headers are checked when headers are given")
    func responseHeaders() throws {
        let body = try json(["error": ["code": "rate_limited", "message": "later"]])
        let without = contract.validateResponse(method: "GET", path: "/items", status: 429, contentType: "application/json", body: body, headers: [:])
        #expect(without == [ContractViolation(path: "header Retry-After", message: "missing required header")])
        let wrong = contract.validateResponse(method: "GET", path: "/items", status: 429, contentType: "application/json", body: body, headers: ["retry-after": "soon"])
        #expect(wrong.map(\.path) == ["header Retry-After"])
        let right = contract.validateResponse(method: "GET", path: "/items", status: 429, contentType: "application/json", body: body, headers: ["Retry-After": "3"])
        #expect(right == [])
    }

    @Test("a path template matches ids holding %2F as one segment, and literal segments win")
    func pathTemplates() throws {
        let encoded = contract.operation(method: "GET", path: "/items/item%2F00af")
        #expect(encoded?.description == "GET /items/{id}")
        #expect(contract.operation(method: "GET", path: "/items/a/b") == nil)
        #expect(contract.operation(method: "GET", path: "/items/") == nil, "an empty id matches nothing")
        #expect(contract.operation(method: "GET", path: "/items/featured")?.operationID == "featuredItems")
        #expect(contract.operation(method: "delete", path: "/items/featured") == nil, "the literal path wins even without the method")

        let agentflow = try OpenAPIContract(dialect: "agentflow")
        #expect(agentflow.operation(method: "POST", path: "/conversations/conv_a%2Fb/messages")?.pathTemplate == "/conversations/{id}/messages")
        #expect(agentflow.operation(method: "GET", path: "/conversations/search?q=x")?.operationID == "searchConversations")
        let knowrithm = try OpenAPIContract(dialect: "knowrithm")
        #expect(knowrithm.operation(method: "GET", path: "/conversation/deleted")?.operationID == "listDeletedConversations")
        #expect(knowrithm.operation(method: "GET", path: "/conversation/conv_0123456789abcdef")?.operationID == "getConversation")
        let v2 = try OpenAPIContract(dialect: "v2")
        #expect(v2.operation(method: "GET", path: "/agents/agent_x/conversations/conv_1/files/download/")?.operationID == "downloadFile")
        #expect(v2.operation(method: "GET", path: "/agents/agent_x/conversations/conv_1/data-frames/a%2Fb%20c")?.operationID == "getDataFrame")
    }

    @Test("undeclared paths may only answer route_not_found and undeclared methods only 405")
    func undeclaredRoutes() throws {
        let agentflow = try OpenAPIContract(dialect: "agentflow")
        let notFound = try json(["error": ["code": "route_not_found", "message": "No such endpoint."]])
        #expect(agentflow.validateResponse(method: "GET", path: "/nope", status: 404, contentType: "application/json", body: notFound) == [])
        #expect(agentflow.validateResponse(method: "GET", path: "/nope", status: 200, contentType: "application/json", body: notFound).count == 1)
        let notAllowed = try json(["error": ["code": "invalid_request", "message": "PUT is not allowed."]])
        #expect(agentflow.validateResponse(method: "PUT", path: "/conversations", status: 405, contentType: "application/json", body: notAllowed) == [])
        #expect(agentflow.validateResponse(method: "PUT", path: "/conversations", status: 200, contentType: "application/json", body: notAllowed).count == 1)
    }

    @Test("an error's code must be one its status may carry")
    func errorCodesPerStatus() throws {
        let agentflow = try OpenAPIContract(dialect: "agentflow")
        let path = "/conversations/conv_0123456789abcdef"
        func error(_ status: Int, _ code: String) throws -> [ContractViolation] {
            agentflow.validateResponse(method: "GET", path: path, status: status, contentType: "application/json", body: try json(["error": ["code": code, "message": "m"]]))
        }
        #expect(try error(404, "conversation_not_found") == [])
        #expect(try error(429, "rate_limited") == [])
        #expect(Set(try error(404, "rate_limited").map(\.path)) == ["/error/code"])
        #expect(Set(try error(503, "internal").map(\.path)) == ["/error/code"])
    }

    @Test("a redirect is declared for every route and needs Location")
    func redirects() throws {
        let turns = try OpenAPIContract(dialect: "turns")
        let path = "/agents/agent_concierge/conversations"
        for status in [301, 302, 307, 308] {
            let moved = turns.validateResponse(method: "GET", path: path, status: status, contentType: nil, body: Data(), headers: ["Location": "https://eu.example.com/turns" + path])
            #expect(moved == [], "\(status)")
        }
        let noLocation = turns.validateResponse(method: "GET", path: path, status: 307, contentType: nil, body: Data(), headers: [:])
        #expect(noLocation.map(\.path) == ["header Location"])
    }

    @Test("query parameters are checked against their declared types and bounds")
    func queryParameters() throws {
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "q=lamp&limit=20&flag=true&unknown=1") == [])
        #expect(contract.validateRequest(method: "GET", path: "/items?q=lamp%20shade&limit=100") == [])
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "limit=5").map(\.description) == ["?q: missing required parameter"])
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "q=x&limit=0").map(\.path) == ["?limit"])
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "q=x&limit=101").map(\.path) == ["?limit"])
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "q=x&limit=ten").map(\.description) == [#"?limit: expected integer, got "ten""#])
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "q=x&flag=yes").map(\.path) == ["?flag"])
        #expect(contract.validateRequest(method: "GET", path: "/items", query: "q=").map(\.path) == ["?q"])
        #expect(contract.validateRequest(method: "POST", path: "/items", query: "q=x").count == 1)
    }

    @Test("Idempotency-Key must be 1 to 255 printable ASCII characters")
    func idempotencyKeyHeader() throws {
        let agentflow = try OpenAPIContract(dialect: "agentflow")
        func check(_ key: String) -> [ContractViolation] {
            agentflow.validateRequest(method: "POST", path: "/conversations", query: "", headers: ["Idempotency-Key": key])
        }
        #expect(check("outbox-42 retry") == [])
        #expect(check(String(repeating: "k", count: 255)) == [])
        #expect(check(String(repeating: "k", count: 256)).map(\.path) == ["header Idempotency-Key"])
        #expect(Set(check("").map(\.path)) == ["header Idempotency-Key"], "too short and not matching")
        #expect(check("clé").map(\.path) == ["header Idempotency-Key"])
        #expect(check("line\nbreak").map(\.path) == ["header Idempotency-Key"])
    }

    @Test("request bodies are checked against the declared schema")
    func requestBodies() throws {
        let agentflow = try OpenAPIContract(dialect: "agentflow")
        let path = "/conversations/conv_0123456789abcdef/messages"
        #expect(agentflow.validateRequestBody(method: "POST", path: path, contentType: "application/json", body: try json(["content": "Hi"])) == [])
        let extra = agentflow.validateRequestBody(method: "POST", path: path, contentType: "application/json", body: try json(["content": "Hi", "x": 1]))
        #expect(extra.map(\.path) == ["/x"])
        let missing = agentflow.validateRequestBody(method: "POST", path: path, contentType: "application/json", body: try json([String: Any]()))
        #expect(missing.map(\.path) == ["/content"])
    }

    @Test("event streams parse per the SSE rules: CRLF, CR, BOM, comments, multi-line data")
    func eventStreamParsing() {
        let body = Data("\u{FEFF}: hello\r\nid: 1\r\nevent: a\r\ndata: x\r\ndata:  y\r\n\r\ndata:z\r\rretry: 5\n\nevent: b\n\n".utf8)
        let (events, unterminated) = OpenAPIContract.parseEventStream(body)
        #expect(events == [ContractEvent(type: "a", data: "x\n y", id: "1"), ContractEvent(type: "message", data: "z", id: nil)])
        #expect(!unterminated)
        #expect(OpenAPIContract.parseEventStream(Data("data: cut".utf8)).unterminated)
    }

    @Test("event streams are validated event by event")
    func eventStreams() throws {
        let agentflow = try OpenAPIContract(dialect: "agentflow")
        func stream(_ text: String) -> [ContractViolation] {
            agentflow.validateResponse(method: "POST", path: "/conversations/conv_0123456789abcdef/stream", status: 200, contentType: "text/event-stream", body: Data(text.utf8))
        }
        let started = "event: run_started\ndata: {\"run_id\":\"run_0123456789abcdef\"}\n\n"
        let final = "event: final_response\ndata: {\"text\":\"Hi\",\"message_id\":\"msg_0123456789abcdef\"}\n\n"
        #expect(stream(started + "event: text_delta\ndata: {\"text\":\"Hi\"}\n\n" + final) == [])
        #expect(stream("event: text_delta\ndata: {\"text\":\"Hi\"}\n\n" + started).map(\.path) == ["/events/0/event", "/events/1/event"])
        #expect(stream(started + final + "event: text_delta\ndata: {\"text\":\"!\"}\n\n").map(\.path) == ["/events/2"])
        #expect(stream(started + "event: text_delta\ndata: {\"text\":1}\n\n").map(\.path) == ["/events/1/data/text"])
        #expect(stream(started + "event: text_delta\ndata: {\"text\":").map(\.path) == ["/events/1"])
    }
}
