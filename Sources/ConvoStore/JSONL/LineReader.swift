import Foundation

/// Reads a file or a pipe (stdin too) line by line, in chunks, with bounded memory.
///
/// Lines end with LF; a CR before it is dropped. `FileHandle.bytes` does not exist on
/// Linux, hence this reader. Reads block the calling thread, as `FileHandle` does.
///
///     for try await line in LineReader(fileHandle: .standardInput) { … }
public struct LineReader: AsyncSequence, Sendable {
    /// One line, without its terminator.
    public typealias Element = String

    /// The longest line accepted, in bytes; default ``defaultMaximumLineBytes``.
    public var maximumLineBytes: Int
    /// 64 MiB: far above any real conversation, low enough to keep memory bounded.
    public static let defaultMaximumLineBytes = 64 << 20
    let fileHandle: FileHandle
    let chunkSize: Int

    /// A reader of `fileHandle` from its current offset.
    public init(fileHandle: FileHandle, maximumLineBytes: Int = defaultMaximumLineBytes, chunkSize: Int = 64 << 10) {
        self.fileHandle = fileHandle
        self.maximumLineBytes = maximumLineBytes
        self.chunkSize = Swift.max(1, chunkSize)
    }

    /// A line's bytes, or the mark of a line longer than the maximum (its bytes skipped).
    enum RawLine {
        case bytes([UInt8])
        case tooLong
    }

    private var buffer: [UInt8] = []
    private var start = 0
    /// Where the search for the next LF resumes: bytes before it hold none.
    private var scanned = 0
    private var atEnd = false
    private var discarding = false

    /// The next line, `nil` at the end of the input.
    mutating func nextRawLine() throws -> RawLine? {
        while true {
            if let newline = buffer[Swift.max(start, scanned)...].firstIndex(of: UInt8(ascii: "\n")) {
                var end = newline
                if end > start && buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                let line = Array(buffer[start..<end])
                start = newline + 1
                scanned = start
                if discarding {
                    discarding = false
                    return .tooLong
                }
                if line.count > maximumLineBytes { return .tooLong }
                return .bytes(line)
            }
            scanned = buffer.count
            if buffer.count - start > maximumLineBytes {
                // Keep memory flat: drop the over-long line's bytes until its end.
                discarding = true
                buffer.removeAll(keepingCapacity: true)
                start = 0
                scanned = 0
            }
            if atEnd {
                guard start < buffer.count || discarding else { return nil }
                let line = Array(buffer[start...])
                buffer.removeAll()
                start = 0
                scanned = 0
                if discarding {
                    discarding = false
                    return .tooLong
                }
                return .bytes(line)
            }
            if start > 0 {
                buffer.removeFirst(start)
                scanned -= start
                start = 0
            }
            if let chunk = try fileHandle.read(upToCount: chunkSize), !chunk.isEmpty {
                buffer.append(contentsOf: chunk)
            } else {
                atEnd = true
            }
        }
    }

    /// Iterates the lines; invalid UTF-8 is replaced with U+FFFD.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var reader: LineReader

        /// The next line.
        ///
        /// - Throws: the read error of the file handle, or `StoreError` `.invalidImportLine`
        ///   for a line longer than ``LineReader/maximumLineBytes``.
        public mutating func next() async throws -> String? {
            switch try reader.nextRawLine() {
            case nil: return nil
            case .bytes(let bytes)?: return String(decoding: bytes, as: UTF8.self)
            case .tooLong?:
                throw StoreError(.invalidImportLine, "a line is longer than \(reader.maximumLineBytes) bytes")
            }
        }
    }

    /// Starts reading from the file handle's current offset.
    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(reader: self)
    }
}
