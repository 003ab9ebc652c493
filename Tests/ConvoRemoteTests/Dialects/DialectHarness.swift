import ConvoModel
import Foundation
import Logging
import Testing
import TestSupport

@testable import ConvoRemote

/// One entry of `Fixtures/wire/<dialect>/index.json`.
struct WireFixture: Decodable, Sendable, CustomTestStringConvertible {
    var file: String
    var operation: String?
    var method: String
    var path: String
    var query: String?
    var status: Int
    var contentType: String
    var valid: Bool
    var violationAt: String?

    var testDescription: String { file }

    /// Query items of the recorded request, percent-decoded.
    var queryItems: [String: String] {
        RecordedRequest(method: method, path: path, query: query, headers: [:], body: Data()).queryItems
    }

    /// The path's last segment, percent-decoded (the id a fixture's route names last).
    var lastSegment: String {
        let segment = path.split(separator: "/").last.map(String.init) ?? ""
        return segment.removingPercentEncoding ?? segment
    }

    /// The path segment after `name`, percent-decoded.
    func segment(after name: String) -> String {
        let parts = path.split(separator: "/").map(String.init)
        guard let index = parts.firstIndex(of: name), index + 1 < parts.count else { return "" }
        return parts[index + 1].removingPercentEncoding ?? parts[index + 1]
    }

    /// `violationAt` as a `RemoteError.field`: `/conversations/1/updated_at` →
    /// `$.conversations[1].updated_at`.
    var expectedField: String? {
        guard let pointer = violationAt, !pointer.isEmpty else { return nil }
        return pointer.split(separator: "/").reduce("$") { path, part in
            Int(part) != nil ? path + "[\(part)]" : path + "." + part
        }
    }
}

/// The fixtures of each dialect's index, and the test setup of each dialect.
enum DialectSetup {
    /// Every fixture of a dialect's index (empty when it cannot be read: a separate test
    /// requires each index to load).
    static func fixtures(_ dialect: Dialect) -> [WireFixture] {
        (try? loadFixtures(dialect)) ?? []
    }

    static func loadFixtures(_ dialect: Dialect) throws -> [WireFixture] {
        struct Index: Decodable { var fixtures: [WireFixture] }
        return try JSONDecoder().decode(Index.self, from: Fixtures.data("wire/\(dialect.rawValue)/index.json")).fixtures
    }

    /// The base path the emulator serves the dialect under (DIALECTS "Base URLs").
    static func basePath(_ dialect: Dialect) -> String {
        switch dialect {
        case .agentflow: "/agentflow/v1"
        case .v2: "/v2/tenants/acme/api/v2"
        case .knowrithm: "/knowrithm/v1"
        case .turns: "/turns"
        }
    }

    static func credentials(_ dialect: Dialect) -> Credentials {
        dialect == .knowrithm ? .apiKey("test-key", secret: "test-secret") : .bearer("test-token")
    }

    /// The agents the fixtures use per dialect.
    static func agents(_ dialect: Dialect) -> [String] {
        switch dialect {
        case .v2: ["agent_finance-assistant"]
        case .turns: ["agent_concierge"]
        default: []
        }
    }

    static let quiet = Logger(label: "dialect-tests", factory: { _ in SwiftLogNoOpLogHandler() })
}

/// Runs `body` with the dialect's adapter (made by `RemoteAPIFactory`) against a replay server.
func withAdapter<T: Sendable>(
    _ dialect: Dialect, configuration: RemoteConfiguration = .init(),
    _ body: (_ api: any RemoteAPI, _ server: ReplayServer) async throws -> T
) async throws -> T {
    let basePath = DialectSetup.basePath(dialect)
    return try await withReplayServer(basePath: basePath) { port, server in
        let url = try #require(URL(string: "http://127.0.0.1:\(port)\(basePath)"))
        let account = RemoteAccount(
            baseURL: url, dialect: dialect, tenant: dialect == .v2 ? "acme" : nil, agentIDs: DialectSetup.agents(dialect),
            credentials: DialectSetup.credentials(dialect))
        let connection = RemoteAPIFactory.make(account: account, configuration: configuration, logger: DialectSetup.quiet)
        // Watch streams fail at once in tests instead of backing off between reconnections.
        let api: any RemoteAPI =
            dialect == .agentflow
            ? AgentFlowAdapter(
                transport: connection.transport, account: account, watchConfiguration: .init(maxReconnectAttempts: 0))
            : connection.api
        do {
            let result = try await body(api, server)
            try await connection.shutdown()
            return result
        } catch {
            try await connection.shutdown()
            throw error
        }
    }
}

/// Runs `body` with the dialect's adapter pointed at a loopback port nothing listens on:
/// for checks that must fail before any request (a request would fail `network` there).
/// No server is started for them: a server cancelled right after it starts trips a
/// debug-build NIO check on the channel it never got to serve.
func withOfflineAdapter<T: Sendable>(_ dialect: Dialect, _ body: (_ api: any RemoteAPI) async throws -> T)
    async throws -> T
{
    let url = try #require(URL(string: "http://127.0.0.1:9\(DialectSetup.basePath(dialect))"))
    let account = RemoteAccount(
        baseURL: url, dialect: dialect, agentIDs: DialectSetup.agents(dialect), credentials: DialectSetup.credentials(dialect))
    let connection = RemoteAPIFactory.make(account: account, logger: DialectSetup.quiet)
    do {
        let result = try await body(connection.api)
        try await connection.shutdown()
        return result
    } catch {
        try await connection.shutdown()
        throw error
    }
}

/// Checks a recorded request against the dialect's contract: route, query parameters and
/// declared headers, JSON body, credentials, and `Idempotency-Key` on every mutation.
func expectContractShape(
    _ request: RecordedRequest, _ dialect: Dialect, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let contract = try OpenAPIContract(dialect: dialect.rawValue)
    let violations = contract.validateRequest(
        method: request.method, path: request.path, query: request.query, headers: request.headers)
    #expect(violations.isEmpty, "\(request.method) \(request.path): \(violations)", sourceLocation: sourceLocation)
    if let type = request.headers["content-type"], !request.body.isEmpty {
        let bodyViolations = contract.validateRequestBody(
            method: request.method, path: request.path, contentType: type, body: request.body)
        #expect(bodyViolations.isEmpty, "\(request.method) \(request.path) body: \(bodyViolations)", sourceLocation: sourceLocation)
    }
    if dialect == .knowrithm {
        #expect(request.headers["x-api-key"] == "test-key", sourceLocation: sourceLocation)
        #expect(request.headers["x-api-secret"] == "test-secret", sourceLocation: sourceLocation)
    } else {
        #expect(request.headers["authorization"] == "Bearer test-token", sourceLocation: sourceLocation)
    }
    if request.method != "GET" {
        let key = request.headers["idempotency-key"]
        #expect(key == "key-\(request.method.lowercased())", "mutation without its Idempotency-Key", sourceLocation: sourceLocation)
    }
}

/// The idempotency key tests pass for a method, so the recorded header can be matched.
func testKey(_ method: String) -> IdempotencyKey {
    IdempotencyKey("key-\(method.lowercased())") ?? .random()
}

/// What an adapter call returned, for spot checks.
enum Outcome: Sendable {
    case agents([RemoteAgent])
    case conversations(RemotePage<ConversationSnapshot>)
    case deletedConversations(RemotePage<Conversation>)
    case snapshot(ConversationSnapshot)
    case turns(RemotePage<Turn>)
    case conversation(Conversation)
    case sent(SentMessage)
    case title(String)
    case done
    case replies([ReplyEvent])
    case watch([WatchEvent])
    case files([RemoteFile])
    case frames([DataFrameSummary])
    case slice(DataFrameSlice)
    case bytes(Data)
}

/// Every event of a finite sequence.
func collect<S: AsyncSequence>(_ sequence: S, limit: Int = .max) async throws -> [S.Element] {
    var events: [S.Element] = []
    var iterator = sequence.makeAsyncIterator()
    while events.count < limit, let event = try await iterator.next() { events.append(event) }
    return events
}

/// The number of events in an SSE fixture.
func eventCount(_ dialect: Dialect, _ file: String) throws -> Int {
    try OpenAPIContract.parseEventStream(Fixtures.data("wire/\(dialect.rawValue)/\(file)")).events.count
}

/// Runs one fixture through the adapter: the server answers with it, the adapter call that
/// the fixture's operation names is made with the arguments its path and query give, and
/// the recorded request is checked against the contract and the fixture's own request.
func replay(
    _ fixture: WireFixture, _ dialect: Dialect, configuration: RemoteConfiguration = .init(),
    call: @escaping @Sendable (any RemoteAPI, WireFixture) async throws -> Outcome
) async throws -> Result<Outcome, RemoteError> {
    try await withAdapter(dialect, configuration: configuration) { api, server in
        server.answer(try Reply.fixture(dialect, fixture))
        let result: Result<Outcome, RemoteError>
        do {
            result = .success(try await call(api, fixture))
        } catch let error as RemoteError {
            result = .failure(error)
        }
        if case .failure(let error) = result, error.code == .invalidRequest, error.status == nil, fixture.status == 400,
            server.requests.isEmpty
        {
            return result  // the adapter refused the bad request before sending it
        }
        let request = try #require(server.requests.first, "no request reached the server")
        #expect(request.method == fixture.method)
        #expect(request.path == fixture.path, "\(fixture.file)")
        for (name, value) in fixture.queryItems {
            #expect(request.queryItems[name] == value, "\(fixture.file): ?\(name)")
        }
        try expectContractShape(request, dialect)
        return result
    }
}

/// Checks what a fixture that is not a valid 2xx gave: a broken body is `malformedResponse`
/// naming the broken field, an error status the code its status and body give.
func expectFailure(_ result: Result<Outcome, RemoteError>, for fixture: WireFixture) {
    guard case .failure(let error) = result else {
        Issue.record("\(fixture.file) was accepted")
        return
    }
    if fixture.status == 400 && error.status == nil {
        #expect(error.code == .invalidRequest, "\(fixture.file)")
    } else if fixture.status >= 400 {
        #expect(error.status == fixture.status, "\(fixture.file)")
        #expect(error.code != .malformedResponse, "\(fixture.file)")
        if fixture.contentType == "text/html" { #expect(error.serverCode == nil) }
    } else {
        #expect(error.code == .malformedResponse, "\(fixture.file): \(error)")
        if let field = fixture.expectedField {
            #expect(error.field == field, "\(fixture.file)")
        } else {
            #expect(error.field != nil, "\(fixture.file)")
        }
    }
}

/// The text deltas of a reply.
func deltas(_ events: [ReplyEvent]) -> [String] {
    events.compactMap { event -> String? in
        guard case .delta(let text) = event else { return nil }
        return text
    }
}

/// The snapshot ids of a watch.
func snapshotIDs(_ events: [WatchEvent]) -> [String] {
    events.compactMap { event -> String? in
        guard case .snapshot(let id, _) = event else { return nil }
        return id
    }
}

/// A date from an RFC 3339 literal in a test.
func date(_ text: String) -> Date? { Timestamp.parse(text) }
