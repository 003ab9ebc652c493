import AsyncHTTPClient
import NIOCore

/// A 2xx response whose body is still arriving (downloads, `text/event-stream`).
public struct RemoteStreamResponse: Sendable {
    /// The HTTP status (2xx; 204 means "no content": for SSE, "do not reconnect").
    public let status: Int
    /// The response header fields, in order.
    public let headers: [(name: String, value: String)]
    /// The body, chunk by chunk as it arrives; chunk boundaries carry no meaning.
    public let body: RemoteByteStream

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
}

/// A response body as an `AsyncSequence` of byte chunks whose failures are `RemoteError`s
/// (a cut connection is `network`, silence longer than the read timeout is `timeout`).
///
///     for try await chunk in response.body { try file.write(chunk) }
public struct RemoteByteStream: AsyncSequence, Sendable {
    /// A chunk of bytes.
    public typealias Element = ByteBuffer

    let body: HTTPClientResponse.Body
    let endpoint: String

    /// Iterates the chunks.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: HTTPClientResponse.Body.AsyncIterator
        let endpoint: String

        /// The next chunk, or `nil` at the end of the body.
        /// - Throws: `RemoteError` `network`, `timeout` or `cancelled`.
        public mutating func next() async throws -> ByteBuffer? {
            do {
                return try await base.next()
            } catch {
                throw RemoteError.from(error, endpoint: endpoint)
            }
        }
    }

    /// Iterates the body once.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: body.makeAsyncIterator(), endpoint: endpoint)
    }
}
