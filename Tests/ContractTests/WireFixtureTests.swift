import Foundation
import Testing
import TestSupport

@Suite("Wire fixtures against the dialect contracts")
struct WireFixtureTests {
    @Test("every valid fixture conforms to its operation's response", arguments: dialects)
    func validFixturesConform(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        let entries = try WireFixtureIndex.load(dialect).fixtures.filter(\.valid)
        #expect(entries.count >= 8)
        for entry in entries {
            let violations = try WireFixtureIndex.violations(of: entry, in: contract, dialect: dialect)
            #expect(violations.isEmpty, "\(dialect)/\(entry.file): \(violations)")
        }
    }

    @Test("every fixture names the operation its path matches", arguments: dialects)
    func fixturesMatchTheirOperation(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        for entry in try WireFixtureIndex.load(dialect).fixtures {
            let matched = contract.operation(method: entry.method, path: entry.path)
            #expect(matched?.description == entry.operation, "\(dialect)/\(entry.file) matched \(String(describing: matched))")
        }
    }

    @Test("every recorded request's query conforms to the operation's parameters", arguments: dialects)
    func recordedQueriesConform(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        for entry in try WireFixtureIndex.load(dialect).fixtures where entry.operation != nil && entry.status < 400 {
            let violations = contract.validateRequest(method: entry.method, path: entry.path, query: entry.query ?? "")
            #expect(violations.isEmpty, "\(dialect)/\(entry.file): \(violations)")
        }
    }

    @Test("every broken fixture fails with a violation at the named field", arguments: dialects)
    func brokenFixturesFailAtTheirField(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        let entries = try WireFixtureIndex.load(dialect).fixtures.filter { !$0.valid }
        #expect(entries.count >= 6)
        for entry in entries {
            let expected = try #require(entry.violationAt, "\(dialect)/\(entry.file) names no field")
            let violations = try WireFixtureIndex.violations(of: entry, in: contract, dialect: dialect)
            #expect(violations.contains { $0.path == expected }, "\(dialect)/\(entry.file): wanted \(expected), got \(violations)")
        }
    }

    @Test("broken fixtures cover missing fields, wrong types, unknown enums, truncation, HTML and wrong shapes", arguments: dialects)
    func brokenFixturesCoverEveryKind(dialect: String) throws {
        let files = Set(try WireFixtureIndex.load(dialect).fixtures.filter { !$0.valid }.map(\.file))
        for required in ["broken/truncated.json", "broken/html_error.html", "broken/wrong_shape.json", "broken/unknown_role.json"] {
            #expect(files.contains(required), "\(dialect) lacks \(required)")
        }
        #expect(files.contains { $0.contains("missing") }, "\(dialect) lacks a missing-field fixture")
        #expect(files.contains { $0.contains("wrong_type") }, "\(dialect) lacks a wrong-type fixture")
    }

    @Test("the index lists every fixture file and every listed file exists", arguments: dialects)
    func indexMatchesTheFolder(dialect: String) throws {
        let listed = Set(try WireFixtureIndex.load(dialect).fixtures.map(\.file))
        let folder = Fixtures.url("wire/\(dialect)")
        var onDisk: Set<String> = []
        let enumerator = try #require(FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey]))
        for case let url as URL in enumerator where (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
            let relative = String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1))
            if relative != "index.json" { onDisk.insert(relative) }
        }
        #expect(listed == onDisk, "unlisted: \(onDisk.subtracting(listed)); missing: \(listed.subtracting(onDisk))")
    }

    @Test("each dialect has a fixture for every JSON success response it declares", arguments: dialects)
    func everyJSONOperationHasAFixture(dialect: String) throws {
        let contract = try OpenAPIContract(dialect: dialect)
        let covered = Set(try WireFixtureIndex.load(dialect).fixtures.filter { $0.valid && $0.status < 300 }.compactMap(\.operation))
        // Extensions beyond DIALECTS.md are served only on request, and no client path reads them.
        for operation in contract.operations where !contract.isExtension(operation) {
            #expect(covered.contains(operation.description), "\(dialect): no valid fixture for \(operation)")
        }
    }

    @Test("error fixtures carry the code DIALECTS.md assigns to their status", arguments: dialects)
    func errorCodesFitTheirStatus(dialect: String) throws {
        let codes: [Int: Set<String>] = [
            400: ["invalid_request"], 401: ["unauthorized"], 403: ["forbidden"],
            404: ["conversation_not_found", "message_not_found", "agent_not_found", "file_not_found", "data_frame_not_found", "route_not_found"],
            405: ["invalid_request"], 413: ["payload_too_large"], 422: ["unprocessable", "idempotency_conflict"],
            429: ["rate_limited"], 500: ["internal"], 503: ["unavailable"],
        ]
        var errors = 0
        for entry in try WireFixtureIndex.load(dialect).fixtures where entry.valid && entry.status >= 400 {
            let body = try ContractJSON(data: Fixtures.data("wire/\(dialect)/\(entry.file)"))
            let code = try #require(body["error"]?["code"]?.stringValue, "\(dialect)/\(entry.file)")
            #expect(codes[entry.status]?.contains(code) == true, "\(dialect)/\(entry.file): \(entry.status) with \(code)")
            errors += 1
        }
        #expect(errors >= 4)
    }

    @Test("streamed replies are recorded in each dialect's framing")
    func streamTranscriptsDecode() throws {
        let v2 = try Fixtures.data("wire/v2/stream_reply.sse")
        let (events, unterminated) = OpenAPIContract.parseEventStream(v2)
        #expect(!unterminated)
        let reply = events.filter { $0.type == "message" }.map(\.data).joined()
        #expect(reply == "Here is the plan:\n1. Match each line to a purchase order.\n2. Flag duplicates. Done")
        #expect(events.last?.type == "done")

        let watch = OpenAPIContract.parseEventStream(try Fixtures.data("wire/agentflow/watch.sse")).events
        #expect(watch.map(\.id) == ["41", "42", "43"])
        #expect(watch.allSatisfy { $0.type == "conversation_update" })

        let reset = OpenAPIContract.parseEventStream(try Fixtures.data("wire/agentflow/watch_reset.sse")).events
        #expect(reset.map(\.type) == ["reset", "conversation_update"])
    }
}
