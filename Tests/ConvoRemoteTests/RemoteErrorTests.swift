import Foundation
import Logging
import NIOCore
import Testing

@testable import ConvoRemote

@Suite("Remote errors")
struct RemoteErrorTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var status: Int
        var body: String
        var code: RemoteError.Code
        var retryable: Bool
        var testDescription: String { "\(status) \(body.prefix(40))" }
    }

    static let cases: [Case] = [
        Case(status: 400, body: #"{"error":{"code":"invalid_request","message":"bad limit"}}"#, code: .invalidRequest, retryable: false),
        Case(status: 422, body: #"{"error":{"code":"unprocessable","message":"unknown field"}}"#, code: .invalidRequest, retryable: false),
        Case(status: 422, body: #"{"error":{"code":"idempotency_conflict","message":"reused"}}"#, code: .idempotencyConflict, retryable: false),
        Case(status: 413, body: #"{"error":{"code":"payload_too_large","message":"big"}}"#, code: .payloadTooLarge, retryable: false),
        Case(status: 403, body: #"{"error":{"code":"forbidden","message":"no"}}"#, code: .forbidden, retryable: false),
        Case(status: 405, body: #"{"error":{"code":"invalid_request","message":"method"}}"#, code: .invalidRequest, retryable: false),
        Case(status: 503, body: #"{"error":{"code":"unavailable","message":"later"}}"#, code: .serverError, retryable: true),
        Case(status: 502, body: "<html>Bad Gateway</html>", code: .serverError, retryable: true),
        Case(status: 429, body: "", code: .rateLimited, retryable: true),
        Case(status: 401, body: "not json", code: .unauthorized, retryable: false),
        Case(status: 418, body: "{}", code: .invalidRequest, retryable: false),
        Case(status: 304, body: "", code: .redirectRefused, retryable: false),
    ]

    @Test("an error status and body map to a code", arguments: cases)
    func mapping(testCase: Case) {
        let error = RemoteError.from(
            status: testCase.status, body: ByteBuffer(string: testCase.body), retryAfter: nil, endpoint: "GET /x")
        #expect(error.code == testCase.code)
        #expect(error.isRetryable == testCase.retryable)
        #expect(error.status == testCase.status)
        #expect(!error.description.contains(testCase.body.isEmpty ? "\u{0}" : testCase.body))
    }

    @Test("network, timeout, 5xx and 429 are retryable; the rest are permanent")
    func retryable() {
        let retryable: [RemoteError.Code] = [.network, .timeout, .serverError, .rateLimited]
        let permanent: [RemoteError.Code] = [
            .unauthorized, .forbidden, .notFound, .routeNotFound, .cancelled, .malformedResponse, .idempotencyConflict,
            .invalidRequest, .payloadTooLarge, .responseTooLarge, .insecureTransport, .redirectRefused, .unsupported,
        ]
        #expect(retryable.allSatisfy { RemoteError($0, endpoint: "GET /x").isRetryable })
        #expect(permanent.allSatisfy { !RemoteError($0, endpoint: "GET /x").isRetryable })
    }

    @Test("a cancelled task and an oversized body map to their codes")
    func thrownErrors() {
        #expect(RemoteError.from(CancellationError(), endpoint: "GET /x").code == .cancelled)
        #expect(RemoteError.from(NIOTooManyBytesError(maxBytes: 1), endpoint: "GET /x").code == .responseTooLarge)
    }

    @Test("redirects: https to http is refused, a write is never turned into a GET, the limit holds")
    func redirectPolicy() async throws {
        let base = try #require(URL(string: "https://api.example.com/v1"))
        let transport = HTTPTransport(
            baseURL: base, credentials: nil, logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        let from = try #require(URL(string: "https://api.example.com/v1/conversations"))
        func target(_ location: String, status: Int = 302, method: RemoteRequest.Method = .get, count: Int = 0) throws -> URL {
            try transport.redirectTarget(
                from: from, location: location, status: status, method: method, count: count, endpoint: "GET /x")
        }
        #expect(try target("/v1/other").absoluteString == "https://api.example.com/v1/other")
        #expect(try target("https://cdn.example.net/f").host == "cdn.example.net")
        #expect(throws: RemoteError.self) { try target("http://api.example.com/v1/other") }
        #expect(throws: RemoteError.self) { try target("/v1/other", status: 303, method: .post) }
        #expect(try target("/v1/other", status: 307, method: .post).path == "/v1/other")
        #expect(throws: RemoteError.self) { try target("/v1/other", count: 5) }
        try await transport.shutdown()
    }
}
