import ArgumentParser
import ConvoStore

/// The options every command that reads a replica takes.
struct ReplicaOptions: ParsableArguments {
    @OptionGroup var location: ReplicaLocationOptions

    @Flag(name: .long, help: "Print one JSON document, for scripts.")
    var json = false

    /// Opens the replica read-only: reading commands never migrate or write.
    /// - Throws: `StoreError` (no such replica, not a replica…) or `CommandFailure` (unknown account).
    func openForReading() throws -> Replica {
        try Replica.openForReading(at: try location.path())
    }
}

extension Replica {
    /// Opens the replica at `path` read-only: what every command that only reads (list, show,
    /// search, export, status, an offline `files`) opens; writes go through a session.
    /// - Throws: `StoreError` (no such replica, not a replica, locked…).
    static func openForReading(at path: String) throws -> Replica {
        var configuration = ReplicaConfiguration()
        configuration.readonly = true
        return try Replica.openExisting(at: path, configuration: configuration)
    }
}
