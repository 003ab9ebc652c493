import ConvoModel
import ConvoSync
import Foundation

/// What the daemon's status file says: per account, where its sync stands. `convosync status`
/// reads it when a daemon runs; monitoring can too. Written atomically (temp file + rename).
public struct DaemonStatus: Codable, Sendable, Equatable {
    /// One account's line.
    public struct Account: Codable, Sendable, Equatable {
        /// The account's name.
        public var name: String
        /// The dialect its remote speaks.
        public var dialect: String
        /// Its replica file.
        public var replica: String
        /// What its engine is doing: `idle`, `pulling`, `pushing`…
        public var phase: String
        /// Whether the last request reached the remote.
        public var online: Bool
        /// When its last sync finished (RFC 3339).
        public var lastSuccess: String?
        /// Seconds since the last successful sync, when there was one.
        public var lagSeconds: Int?
        /// Local writes waiting for the remote.
        public var outboxPending: Int
        /// Local writes the remote refused for good.
        public var outboxFailed: Int
        /// The last failure, as one sentence.
        public var lastError: String?
        /// The last failure's `SyncError` code.
        public var lastErrorCode: String?
        /// Whether the last pass could check remote deletions.
        public var deletionsChecked: Bool
        /// The last scheduled verification (`--verify-every`), once one ran.
        public var lastVerify: Verification?

        /// What the last verification found.
        public struct Verification: Codable, Sendable, Equatable {
            /// When it finished (RFC 3339).
            public var at: String
            /// Whether the replica equalled the remote.
            public var equal: Bool
            /// How many conversations differed.
            public var differences: Int
            /// Differences a second look could not confirm.
            public var unconfirmed: Int
        }

        enum CodingKeys: String, CodingKey {
            case name, dialect, replica, phase, online
            case lastSuccess = "last_success", lagSeconds = "lag_seconds"
            case outboxPending = "outbox_pending", outboxFailed = "outbox_failed"
            case lastError = "last_error", lastErrorCode = "last_error_code"
            case deletionsChecked = "deletions_checked"
            case lastVerify = "last_verify"
        }

        /// One account's line from its engine's `status` and outbox counts, its lag measured at `now`.
        public init(name: String, dialect: Dialect, replica: String, status: SyncStatus, pending: Int, failed: Int, now: Date) {
            self.name = name
            self.dialect = dialect.rawValue
            self.replica = replica
            phase = status.phase.rawValue
            online = status.online
            lastSuccess = status.lastSuccess.map(Timestamp.format)
            lagSeconds = status.lastSuccess.map { max(0, Int(now.timeIntervalSince($0))) }
            outboxPending = pending
            outboxFailed = failed
            lastError = status.lastError
            lastErrorCode = status.lastErrorCode?.rawValue
            deletionsChecked = status.deletionsChecked
            lastVerify = status.lastVerification.map {
                Verification(
                    at: Timestamp.format($0.finishedAt), equal: $0.equal, differences: $0.differences,
                    unconfirmed: $0.unconfirmed)
            }
        }
    }

    /// The daemon's process id.
    public var pid: Int32
    /// When the file was written (RFC 3339); `convosync status` ignores a stale one.
    public var updatedAt: String
    /// One line per account the daemon runs.
    public var accounts: [Account]

    enum CodingKeys: String, CodingKey {
        case pid
        case updatedAt = "updated_at"
        case accounts
    }

    /// Writes the document to `url` through a temp file and a rename, so a reader never sees
    /// half of it. The file is mode 0600 and a folder it creates 0700: it names the accounts,
    /// their replicas and their last errors, which are nobody else's business.
    ///
    /// - Parameter repairsFolder: also tighten an existing folder to 0700 when group or others
    ///   may read it (convosync's own state folder); never for a folder the user chose, which
    ///   may be shared (`/tmp`).
    /// - Throws: `AccountsError` (`.cannotCreate` the folder cannot be made, `.ioFailure` the write failed).
    public func write(to url: URL, repairsFolder: Bool) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw AccountsError(.ioFailure, "The status could not be encoded.")
        }
        let folder = url.deletingLastPathComponent().path
        if repairsFolder {
            var info = stat()
            if stat(folder, &info) == 0, info.st_uid == getuid(), info.st_mode & 0o077 != 0 {
                _ = chmod(folder, 0o700)
            }
        }
        try AtomicFile.write(data, to: url.path)
    }

    /// The document at `url` when a daemon is running: its process is alive and it wrote the
    /// file less than `freshness` seconds before `now`; `nil` otherwise.
    ///
    ///     if let daemon = DaemonStatus.running(at: paths.statusFile) { … }
    public static func running(at url: URL, freshness: TimeInterval = 600, now: Date = Date()) -> DaemonStatus? {
        guard let status = read(from: url), let updated = Timestamp.parse(status.updatedAt),
            now.timeIntervalSince(updated) < freshness, status.pid > 0
        else { return nil }
        guard kill(status.pid, 0) == 0 || errno == EPERM else { return nil }
        return status
    }

    /// The document at `url`, or `nil` when there is none or it cannot be read.
    public static func read(from url: URL) -> DaemonStatus? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(DaemonStatus.self, from: data)
    }
}
