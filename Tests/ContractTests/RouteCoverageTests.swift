import Foundation
import Testing
import TestSupport

/// The routes DIALECTS.md lists, per dialect, relative to the dialect's base URL: the whole
/// API a client may rely on. The contracts declare exactly these, plus operations marked
/// `x-extension: true` (served by the emulator only with extensions on).
let documentedRoutes: [String: Set<String>] = [
    "agentflow": [
        "GET /agents",
        "GET /conversations",
        "GET /conversations/search",
        "POST /conversations",
        "GET /conversations/{id}",
        "POST /conversations/{id}/messages",
        "POST /conversations/{id}/stream",
        "POST /conversations/{id}/runs/{run_id}/cancel",
        "GET /conversations/{id}/watch",
        "POST /conversations/{id}/title",
        "PATCH /conversations/{id}",
        "DELETE /conversations/{id}",
    ],
    "v2": [
        "GET /agents",
        "GET /agents/{aid}/conversations",
        "POST /agents/{aid}/conversations",
        "DELETE /agents/{aid}/conversations/{cid}",
        "GET /agents/{aid}/conversations/{cid}/messages",
        "POST /agents/{aid}/conversations/{cid}/messages",
        "POST /agents/{aid}/conversations/{cid}/stream",
        "GET /agents/{aid}/conversations/{cid}/files",
        "POST /agents/{aid}/conversations/{cid}/files",
        "GET /agents/{aid}/conversations/{cid}/files/download/",
        "GET /agents/{aid}/conversations/{cid}/data-frames",
        "GET /agents/{aid}/conversations/{cid}/data-frames/{data_frame_name}",
    ],
    "knowrithm": [
        "POST /conversation",
        "GET /conversation",
        "GET /conversation/entity",
        "GET /conversation/deleted",
        "DELETE /conversation/{id}",
        "PATCH /conversation/{id}/restore",
        "GET /conversation/{id}/messages",
        "POST /conversation/{id}/chat",
        "DELETE /message/{id}",
        "PATCH /message/{id}/restore",
        "DELETE /conversation/{id}/messages",
        "PATCH /conversation/{id}/messages/restore",
        "GET /analytics/conversation/{id}",
    ],
    "turns": [
        "GET /agents/{agentId}/conversations",
    ],
]

@Suite("Dialect contracts cover DIALECTS.md and share its conventions")
struct RouteCoverageTests {
    @Test("each contract declares exactly the routes DIALECTS.md lists, extensions aside", arguments: dialects)
    func contractDeclaresDocumentedRoutes(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        let declared = Set(contract.operations.filter { !contract.isExtension($0) }.map(\.description))
        let documented = try #require(documentedRoutes[dialect])
        #expect(documented.subtracting(declared).isEmpty, "missing: \(documented.subtracting(declared).sorted())")
        #expect(declared.subtracting(documented).isEmpty, "not in DIALECTS.md: \(declared.subtracting(documented).sorted())")
    }

    @Test("the only extension is knowrithm's read by id, and it says it is one and that it may be off")
    func extensionsAreMarked() throws {
        var extensions: [String] = []
        for dialect in dialects {
            let contract = try OpenAPIContract(dialect: dialect)
            for operation in contract.operations where contract.isExtension(operation) {
                extensions.append("\(dialect) \(operation)")
                let item = contract.document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()]
                #expect(item?["description"]?.stringValue?.hasPrefix("Extension: not in DIALECTS.md") == true, "\(dialect) \(operation)")
                #expect(item?["responses"]?["405"] != nil, "\(dialect) \(operation): the answer when extensions are off")
            }
        }
        #expect(extensions == ["knowrithm GET /conversation/{id}"])
    }

    @Test("every operation declares redirects, 401, 429 with Retry-After, 500 and 503 with the shared error body", arguments: dialects)
    func everyOperationDeclaresCommonErrors(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        for operation in contract.operations {
            let responses = try #require(operationResponses(operation, in: contract))
            for status in ["3XX", "401", "429", "500", "503"] {
                #expect(responses[status] != nil, "\(dialect) \(operation) lacks \(status)")
            }
            let rateLimited = contract.resolvedResponse(responses["429"])
            #expect(rateLimited?["headers"]?["Retry-After"] != nil, "\(dialect) \(operation): 429 without Retry-After")
            for (status, response) in responses where status.hasPrefix("4") || status.hasPrefix("5") {
                let schema = contract.resolvedResponse(response)?["content"]?["application/json"]?["schema"]
                let name = try #require(schema?["$ref"]?.stringValue?.split(separator: "/").last.map(String.init), "\(dialect) \(operation) \(status)")
                let narrowed = contract.document["components"]?["schemas"]?[name]?["allOf"]?.elements ?? []
                #expect(narrowed.contains(.object(["$ref": .string("#/components/schemas/ErrorBody")])), "\(dialect) \(operation) \(status): \(name)")
            }
        }
    }

    @Test("every mutating operation takes Idempotency-Key and may answer Idempotent-Replayed and 422", arguments: dialects)
    func mutatingOperationsAreIdempotent(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        for operation in contract.operations where ["POST", "PATCH", "PUT", "DELETE"].contains(operation.method) {
            let item = try #require(contract.document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()])
            let parameters = item["parameters"]?.elements ?? []
            #expect(parameters.contains(.object(["$ref": .string("#/components/parameters/IdempotencyKey")])), "\(dialect) \(operation)")
            let responses = try #require(item["responses"]?.members)
            #expect(responses["422"] != nil && responses["400"] != nil, "\(dialect) \(operation)")
            for (status, response) in responses where status.hasPrefix("2") {
                #expect(response["headers"]?["Idempotent-Replayed"] != nil, "\(dialect) \(operation) \(status)")
            }
        }
    }

    @Test("each event stream's per-event schema and its x-convosync-events rules name the same events", arguments: dialects)
    func eventStreamSchemasAgree(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        var streams = 0
        for operation in contract.operations {
            let item = try #require(contract.document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()])
            for (_, response) in item["responses"]?.members ?? [:] {
                guard let media = contract.resolvedResponse(response)?["content"]?["text/event-stream"] else { continue }
                streams += 1
                let rules = try #require(media["x-convosync-events"]?.members, "\(operation)")
                let branches = try #require(media["schema"]?["oneOf"]?.elements, "\(operation)")
                var described: [String: ContractJSON] = [:]
                for branch in branches {
                    let name = try #require(branch["properties"]?["event"]?["const"]?.stringValue)
                    described[name] = branch
                }
                #expect(Set(described.keys) == Set(rules.keys), "\(dialect) \(operation)")
                for (name, rule) in rules {
                    let data = described[name]?["properties"]?["data"]
                    let isJSON = rule["dataFormat"]?.stringValue == "json"
                    #expect(data?["contentSchema"] == (isJSON ? rule["schema"] : nil), "\(dialect) \(operation) \(name)")
                    let required = described[name]?["required"]?.elements ?? []
                    #expect(required.contains(.string("id")) == (rule["id"]?.stringValue == "required"), "\(dialect) \(operation) \(name)")
                }
            }
        }
        #expect(streams == ["agentflow": 2, "v2": 1, "knowrithm": 1, "turns": 0][dialect])
    }

    @Test("turns is read-only")
    func turnsIsReadOnly() throws {
        let operations = try OpenAPIContract(dialect: "turns").operations
        #expect(operations.allSatisfy { $0.method == "GET" })
    }

    @Test("every listing size is 1...100 with default 20", arguments: dialects)
    func listingSizesAreBounded(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        var sizes = 0
        for operation in contract.operations {
            let item = try #require(contract.document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()])
            for parameter in item["parameters"]?.elements ?? [] {
                guard let name = parameter["name"]?.stringValue, ["limit", "per_page"].contains(name) else { continue }
                let schema = parameter["schema"]
                #expect(schema?["minimum"] == .int(1) && schema?["maximum"] == .int(100) && schema?["default"] == .int(20),
                        "\(dialect) \(operation) \(name)")
                sizes += 1
            }
        }
        #expect(sizes >= 1)
    }

    @Test("the emulator's base URL is the contract's server", arguments: dialects)
    func serverIsTheEmulatorsBaseURL(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        let url = try #require(contract.document["servers"]?.elements?.first?["url"]?.stringValue)
        let expected = [
            "agentflow": "http://127.0.0.1:{port}/agentflow/v1",
            "v2": "http://127.0.0.1:{port}/v2/tenants/{tenant}/api/v2",
            "knowrithm": "http://127.0.0.1:{port}/knowrithm/v1",
            "turns": "http://127.0.0.1:{port}/turns",
        ]
        #expect(url == expected[dialect])
    }

    private func operationResponses(_ operation: ContractOperation, in contract: OpenAPIContract) -> [String: ContractJSON]? {
        contract.document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()]?["responses"]?.members
    }
}

extension OpenAPIContract {
    /// Whether an operation is marked `x-extension: true`: beyond DIALECTS.md, served by
    /// the emulator only with extensions on, never relied on by a client.
    func isExtension(_ operation: ContractOperation) -> Bool {
        document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()]?["x-extension"] == .bool(true)
    }

    /// A response object with its `$ref` followed.
    func resolvedResponse(_ response: ContractJSON?) -> ContractJSON? {
        guard let response else { return nil }
        guard let reference = response["$ref"]?.stringValue else { return response }
        let name = reference.split(separator: "/").last.map(String.init) ?? ""
        return document["components"]?["responses"]?[name]
    }
}
