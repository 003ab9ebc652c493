import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a whole file or nothing: the bytes go to a temporary file (mode 0600) beside the
/// target, are flushed to disk, then renamed over it. A crash or a full disk at any instant
/// leaves either the old file or the new one, never half of either.
public enum AtomicFile {
    /// Replaces the file at `path` with `data`, creating its folder (mode 0700) if missing.
    /// - Throws: `AccountsError` (`.cannotCreate` when the folder cannot be made, `.ioFailure` on a write error).
    public static func write(_ data: Data, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw AccountsError(.cannotCreate, "Cannot create the folder '\(folder)'; check its parent's permissions.")
        }
        let temporary = folder + "/.\((path as NSString).lastPathComponent).\(getpid()).\(UInt32.random(in: .min ... .max)).tmp"
        let descriptor = open(temporary, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw AccountsError(.cannotCreate, "Cannot write in '\(folder)' (\(describeErrno(errno))).")
        }
        var failure = writeAll(data, to: descriptor)
        if failure == nil, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == nil { failure = errno }
        if failure == nil, rename(temporary, path) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw AccountsError(.ioFailure, "Writing '\(path)' failed (\(describeErrno(failure))); it was left as it was.")
        }
    }
}

/// Writes every byte of `data` to `descriptor`; returns the errno of a failed write.
private func writeAll(_ data: Data, to descriptor: Int32) -> Int32? {
    data.withUnsafeBytes { bytes -> Int32? in
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = write(descriptor, base + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}

/// `strerror` for an errno value, e.g. "No space left on device".
func describeErrno(_ code: Int32) -> String {
    String(cString: strerror(code))
}
