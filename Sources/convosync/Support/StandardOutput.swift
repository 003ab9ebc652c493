#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Buffered writes to standard output, for commands that print many lines (export).
///
/// A write that fails (a closed pipe, a full disk) throws instead of losing output silently.
final class StandardOutput {
    private var buffer: [UInt8] = []
    private let capacity = 1 << 16

    init() { buffer.reserveCapacity(capacity) }

    /// Appends `line` and a line feed, flushing when the buffer is full.
    func writeLine(_ line: String) throws {
        buffer.append(contentsOf: line.utf8)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= capacity { try flush() }
    }

    /// Writes everything buffered.
    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                write(STDOUT_FILENO, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw CommandFailure("Writing to standard output failed (errno \(errno)).", exitCode: SysExits.ioError)
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
