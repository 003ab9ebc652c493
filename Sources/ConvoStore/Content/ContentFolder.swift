import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder beside a replica file where cached file bytes live, and the names inside it
/// (DESIGN "Data model": bytes cached on demand, "never outside the replica's own folder").
///
/// Cached paths are relative to the folder holding the replica: `<replica file name>.files/<name>`,
/// where `<name>` is the file row's key and the `file_ref`'s letters, digits, `_` and `-`
/// (at most 64): never the remote's free-text `name`. So a path never holds `/` beyond the
/// one separator, never `..`, never a control character, and two files never share one.
enum ContentFolder {
    /// How much of a `file_ref` a cached file's name keeps, for people looking at the folder.
    static let refPrefixLength = 64

    /// The content folder's name for the replica file at `replicaPath`: its file name plus
    /// `.files`, with any `..` broken up so that cached paths pass the schema's CHECK.
    static func name(forReplicaAt replicaPath: String) -> String {
        var name = URL(fileURLWithPath: replicaPath).lastPathComponent + ".files"
        while name.contains("..") { name = name.replacingOccurrences(of: "..", with: "._") }
        return name
    }

    /// The relative cached path of the file whose row has key `rowID` and whose ref is `ref`.
    static func cachedPath(rowID: Int64, ref: String, replicaPath: String) -> String {
        let safe = ref.unicodeScalars.filter { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "-")
        }
        let prefix = String(String.UnicodeScalarView(safe.prefix(refPrefixLength)))
        let file = prefix.isEmpty ? "\(rowID)" : "\(rowID)-\(prefix)"
        return name(forReplicaAt: replicaPath) + "/" + file
    }

    /// The absolute location of a relative cached path.
    static func url(ofCachedPath relative: String, in folder: URL) -> URL {
        folder.appendingPathComponent(relative, isDirectory: false)
    }

    /// Makes the content folder (mode 0700) unless it exists, and checks that it is a real
    /// directory: a symbolic link there could send bytes outside the replica's folder.
    ///
    /// - Throws: `StoreError` `.database` when it cannot be made or is not a directory.
    static func prepare(_ url: URL, replicaPath: String) throws {
        if mkdir(url.path, 0o700) != 0, errno != EEXIST {
            throw StoreError(.database, "cannot create the content folder (errno \(errno))", path: replicaPath)
        }
        var status = stat()
        guard lstat(url.path, &status) == 0 else {
            throw StoreError(.database, "cannot inspect the content folder (errno \(errno))", path: replicaPath)
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            throw StoreError(.database, "the content folder is not a directory", path: replicaPath)
        }
    }
}

extension ContentFolder {
    /// How long a partial file must have gone unwritten before it counts as left by a crash.
    static let stalePartialAge: TimeInterval = 3600

    /// Removes partial files no write touched for ``stalePartialAge``: what a process killed
    /// mid-download left. A download in progress (here or in another process) writes often,
    /// so its file stays.
    static func removeStalePartials(in url: URL, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: url.path) else { return }
        let cutoff = now.addingTimeInterval(-stalePartialAge)
        for name in names where name.hasPrefix(PartialFile.namePrefix) {
            let file = url.appendingPathComponent(name, isDirectory: false)
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: file.path),
                let modified = attributes[.modificationDate] as? Date, modified < cutoff
            else { continue }
            try? FileManager.default.removeItem(at: file)
        }
    }
}

/// A file being written in the content folder: created exclusively (mode 0600, no symbolic
/// link followed), written fully, synced, then renamed into place or removed.
final class PartialFile {
    /// What every partial file's name starts with.
    static let namePrefix = ".partial-"

    let url: URL
    private var descriptor: Int32
    private let replicaPath: String

    /// Creates `.partial-<uuid>` in `folder`.
    init(in folder: URL, replicaPath: String) throws {
        url = folder.appendingPathComponent(Self.namePrefix + UUID().uuidString.lowercased(), isDirectory: false)
        self.replicaPath = replicaPath
        descriptor = open(url.path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw StoreError(.database, "cannot create a file in the content folder (errno \(errno))", path: replicaPath)
        }
    }

    deinit {
        if descriptor >= 0 { _ = close(descriptor) }
    }

    /// Appends `bytes`, retrying short and interrupted writes.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = writeBytes(descriptor, base, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw StoreError(.database, "cannot write a cached file (errno \(errno))", path: replicaPath)
            }
            remaining -= written
            base += written
        }
    }

    /// Flushes the bytes to the disk and closes the file.
    func finish() throws {
        let synced = fsync(descriptor) == 0
        let code = errno
        _ = close(descriptor)
        descriptor = -1
        guard synced else {
            throw StoreError(.database, "cannot flush a cached file to disk (errno \(code))", path: replicaPath)
        }
    }

    /// Closes and removes the file: what a failed download leaves is nothing.
    func discard() {
        if descriptor >= 0 { _ = close(descriptor) }
        descriptor = -1
        _ = unlink(url.path)
    }
}

extension ContentFolder {
    /// Renames a finished file over `destination` (atomically replacing an older copy), then
    /// syncs the folder so the rename survives a crash.
    ///
    /// - Throws: `StoreError` `.database` when the rename fails.
    static func move(_ source: URL, to destination: URL, replicaPath: String) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw StoreError(.database, "cannot move a cached file into place (errno \(errno))", path: replicaPath)
        }
        let folder = open(destination.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            _ = fsync(folder)
            _ = close(folder)
        }
    }
}

/// `write(2)`, named apart from ``PartialFile/write(_:)``.
private func writeBytes(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
