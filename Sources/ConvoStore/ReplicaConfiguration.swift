import Foundation

/// How a ``Replica`` opens its SQLite file.
///
///     var configuration = ReplicaConfiguration()
///     configuration.busyTimeout = .seconds(10)
///     let replica = try Replica.openExisting(at: path, configuration: configuration)
public struct ReplicaConfiguration: Sendable, Equatable {
    /// How long a connection waits for a lock held by another process (the daemon
    /// and the command-line tool share one file) before failing with
    /// ``StoreError/Code/database``. Default: 5 seconds. Without a timeout SQLite
    /// fails at once.
    public var busyTimeout: Duration = .seconds(5)

    /// Opens the file for reading only: no migration, no write; writes fail with
    /// ``StoreError/Code/readonly``. Only ``Replica/openExisting(at:configuration:)``
    /// honours it (``Replica/open(at:account:configuration:)`` must be able to
    /// migrate). Default: `false`.
    public var readonly: Bool = false

    /// The most concurrent readers (WAL lets them run beside the one writer). Default: 5.
    public var maximumReaderCount: Int = 5

    /// The default configuration.
    public init() {}

    var busyTimeoutSeconds: TimeInterval {
        let (seconds, attoseconds) = busyTimeout.components
        return max(0, TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18)
    }
}
