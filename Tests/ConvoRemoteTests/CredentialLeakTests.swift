import ConvoModel
import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing

@testable import ConvoRemote

/// Every log event, rendered with its metadata, kept in memory for the test that made it.
final class LogRecorder: Sendable {
    private let lines = Mutex<[String]>([])
    private let keys = Mutex<Set<String>>([])

    func record(_ event: LogEvent, handlerMetadata: Logger.Metadata) {
        let metadata = handlerMetadata.merging(event.metadata ?? [:]) { $1 }
        lines.withLock { $0.append("\(event.level) \(event.message) \(metadata)") }
        keys.withLock { $0.formUnion(metadata.keys) }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
    var metadataKeys: Set<String> { keys.withLock { $0 } }
    var count: Int { lines.withLock { $0.count } }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) { recorder.record(event, handlerMetadata: metadata) }
}

@Suite("Credentials never leak")
struct CredentialLeakTests {
    static let secret = "s3cr3t"

    @Test(
        "no log line, metadata, error or description ever holds the secret",
        arguments: [
            Credentials.bearer("tok-\(secret)"), Credentials.bearer("tok\n-\(secret)"),
            Credentials.apiKey("key-\(secret)", secret: "sec-\(secret)"),
            Credentials.apiKey("key\r\n-\(secret)", secret: "sec-\(secret)"),
        ])
    func noLeak(credentials: Credentials) async throws {
        let recorder = LogRecorder()
        let logger = Logger(label: "leak-test", factory: { _ in RecordingLogHandler(recorder: recorder) })
        var texts: [String] = []
        try await withTestServer({ router in
            router.get("/api/ok") { _, _ in jsonResponse(.ok, "{}") }
            router.get("/api/denied") { _, _ in
                jsonResponse(.unauthorized, #"{"error":{"code":"unauthorized","message":"bad token tok-s3cr3t"}}"#)
            }
            router.get("/api/away") { _, _ in Response(status: .found, headers: [.location: "/api/ok"]) }
        }) { port in
            var configuration = RemoteConfiguration()
            configuration.maxResponseBytes = 1 << 20
            try await withTransport(port: port, credentials: credentials, configuration: configuration, logger: logger) {
                transport in
                for route in ["/ok", "/denied", "/away"] {
                    do {
                        _ = try await transport.send(RemoteRequest(.get, route, query: [.init("q", "visible")]))
                    } catch {
                        texts.append(String(describing: error))
                        texts.append(String(reflecting: error))
                        texts.append(error.localizedDescription)
                    }
                }
                let account = RemoteAccount(
                    baseURL: transport.baseURL, dialect: .knowrithm, tenant: "acme", credentials: credentials)
                texts += [
                    String(describing: credentials), String(reflecting: credentials), String(describing: transport),
                    String(reflecting: transport), String(describing: configuration), String(describing: account),
                    String(reflecting: account),
                ]
                var dumped = ""
                dump(account, to: &dumped)
                dump(transport, to: &dumped)
                texts.append(dumped)
            }
        }
        #expect(recorder.count >= 3)
        #expect(recorder.metadataKeys.isSuperset(of: ["http.method", "http.route"]))
        #expect(!recorder.text.contains("visible"), "no query string reaches a log")
        #expect(!recorder.text.contains("127.0.0.1"), "no URL reaches a log")
        for text in texts + [recorder.text] {
            #expect(!text.contains(Self.secret))
        }
        #expect(String(describing: credentials) == "***")
    }

    @Test("a token with a newline fails as an invalid request header without echoing it")
    func newlineToken() async throws {
        try await withTestServer({ router in
            router.get("/api/ok") { _, _ in jsonResponse(.ok, "{}") }
        }) { port in
            try await withTransport(port: port, credentials: .bearer("a\nb-\(Self.secret)")) { transport in
                let error = await remoteError { _ = try await transport.send(RemoteRequest(.get, "/ok")) }
                #expect(error?.code == .invalidRequest)
                #expect(error?.field == "header")
            }
        }
    }
}
