import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Replays the first response to a mutating request that repeats its `Idempotency-Key`.
///
/// Keys (1–255 printable ASCII characters, else 400) are scoped to tenant and credential
/// and kept 24 h. A repeat with the same method, path and body gets the stored status and
/// body with `Idempotent-Replayed: true`; another request under the same key gets 422
/// `idempotency_conflict`. Streamed responses are stored as they are sent, once they end.
/// Server faults (5xx, 429) are not stored, so a retry runs again. A repeat arriving while
/// the first request is still being answered waits for it (see ``IdempotencyLocks``).
///
/// A reply stream cut before it finished (the client gone, a cut fault) leaves no record
/// by default, as on the strictest platform the seeds allow (they promise no replay): a
/// repeat runs as a new request, so the message is sent again, while what the first attempt
/// stored (its user turn, the reply as far as it got) stays. With `replayCutStreams` (the
/// lenient platform) the key keeps what was sent and a repeat replays that much instead.
/// Any other body cut after it began keeps what was sent.
struct IdempotencyMiddleware: RouterMiddleware {
    typealias Context = EmulatorContext
    let store: EmulatorStore
    let locks: IdempotencyLocks
    /// Whether a reply stream cut before its end keeps a replay record (default false: strict).
    var replayCutStreams = false

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard [.post, .put, .patch, .delete].contains(request.method),
              let key = request.header(named: "idempotency-key")
        else {
            return try await next(request, context)
        }
        guard (1...255).contains(key.utf8.count), key.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw EmulatorError(.invalidRequest, "Idempotency-Key must be 1 to 255 printable ASCII characters")
        }
        let credential = try context.requireCaller()
        var request = request
        let body = try await request.bodyBytes(limit: EmulatorConfiguration.maxUploadBytes)
        request.body = RequestBody(buffer: body)
        let bodyHash = Self.hash(Data(body.readableBytesView))
        let method = request.method.rawValue
        let path = request.uri.path
        let lock = [credential.tenantID, credential.apiKey, key].joined(separator: "\u{0}")
        try await locks.acquire(lock)
        do {
            return try await respond(
                request, context: context, next: next, credential: credential, key: key,
                method: method, path: path, bodyHash: bodyHash, lock: lock)
        } catch {
            locks.release(lock)
            throw error
        }
    }

    /// Replays or runs the request while holding the key's lock; the lock is released
    /// here when nothing is stored, or once the stored response has been written.
    private func respond(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response,
        credential: CredentialRecord, key: String, method: String, path: String, bodyHash: String, lock: String
    ) async throws -> Response {
        if let stored = try await store.idempotencyRecord(tenantID: credential.tenantID, apiKey: credential.apiKey, key: key) {
            guard stored.method == method, stored.path == path, stored.bodyHash == bodyHash else {
                throw EmulatorError(.idempotencyConflict, "Idempotency-Key was used for another request")
            }
            locks.release(lock)
            var headers: HTTPFields = [HTTPField.Name.idempotentReplayed: "true"]
            if let contentType = stored.contentType { headers[.contentType] = contentType }
            return Response(
                status: HTTPResponse.Status(code: Int(stored.status)), headers: headers,
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: stored.responseBody)))
        }

        var response = try await next(request, context)
        let status = response.status.code
        guard status < 500, status != 429 else {
            locks.release(lock)
            return response
        }
        let store = self.store
        let locks = self.locks
        let keepsCutBody = replayCutStreams || response.headers[.contentType] != "text/event-stream"
        let template = IdempotencyRecord(
            tenantID: credential.tenantID, apiKey: credential.apiKey, key: key, method: method, path: path,
            bodyHash: bodyHash, status: Int64(status), contentType: response.headers[.contentType],
            responseBody: Data(), createdAt: store.now())
        let original = response.body
        response.body = ResponseBody(contentLength: original.contentLength) { writer in
            let sent = SentBytes()
            let recorder = RecordingWriter(parent: writer, sent: sent) { bytes in
                var record = template
                record.responseBody = bytes
                try? await store.saveIdempotencyRecord(record)
                locks.release(lock)
            }
            do {
                try await original.write(recorder)
            } catch {
                // A body cut after it began (the client went away, the stream was cut). A
                // strict platform keeps no record of a cut reply stream: a retry runs again.
                // Otherwise the key keeps what was sent and a retry replays it. Nothing sent:
                // a retry runs again.
                let partial = sent.bytes
                if keepsCutBody, !partial.isEmpty {
                    var record = template
                    record.responseBody = partial
                    try? await store.saveIdempotencyRecord(record)
                }
                locks.release(lock)
                throw error
            }
        }
        return response
    }

    /// A 128-bit FNV-1a digest of the body, hex.
    static func hash(_ data: Data) -> String {
        var first: UInt64 = 0xCBF2_9CE4_8422_2325
        var second: UInt64 = 0x6C62_272E_07BB_0142
        for byte in data {
            first = (first ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = (second ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            second = second &+ (second >> 29)
        }
        return String(first, radix: 16) + "-" + String(second, radix: 16) + "-" + String(data.count)
    }
}

/// The bytes of a response body written so far, readable after the writer is gone.
final class SentBytes: Sendable {
    private let collected = Mutex(Data())

    /// Everything written so far.
    var bytes: Data { collected.withLock { $0 } }

    func append(_ buffer: ByteBuffer) {
        collected.withLock { $0.append(contentsOf: buffer.readableBytesView) }
    }
}

/// Forwards a response body, noting each write in `sent`, and hands the complete bytes to
/// `onFinish` once it ends.
struct RecordingWriter: ResponseBodyWriter {
    var parent: any ResponseBodyWriter
    let sent: SentBytes
    let onFinish: @Sendable (Data) async -> Void

    init(parent: any ResponseBodyWriter, sent: SentBytes, onFinish: @escaping @Sendable (Data) async -> Void) {
        self.parent = parent
        self.sent = sent
        self.onFinish = onFinish
    }

    mutating func write(_ buffer: ByteBuffer) async throws {
        sent.append(buffer)
        try await parent.write(buffer)
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        await onFinish(sent.bytes)
        try await parent.finish(trailingHeaders)
    }
}

extension HTTPField.Name {
    /// `Idempotent-Replayed`, set on replayed responses.
    static let idempotentReplayed: HTTPField.Name = {
        guard let name = HTTPField.Name("Idempotent-Replayed") else { preconditionFailure("a valid header token") }
        return name
    }()
}
