import ArgumentParser
import ConvoStore

/// The options every command that reads a replica takes.
struct ReplicaOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The replica file.", valueName: "file"))
    var db: String

    @Flag(name: .long, help: "Print one JSON document, for scripts.")
    var json = false

    /// Opens the replica read-only: reading commands never migrate or write.
    func openForReading() throws -> Replica {
        var configuration = ReplicaConfiguration()
        configuration.readonly = true
        return try Replica.openExisting(at: db, configuration: configuration)
    }
}
