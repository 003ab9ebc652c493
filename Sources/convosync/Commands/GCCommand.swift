import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

/// `convosync gc`: removes old tombstones so the replica does not grow forever.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Remove deleted conversations and messages older than a number of days.",
        discussion: """
            Soft-deleted conversations and messages, and conversations the remote deleted for \
            good, are kept as tombstones (restorable, and so that a sync can tell what went). \
            gc removes those older than --older-than days (default 30), except what a queued \
            local write still refers to. Where the platform itself keeps soft-deleted conversations \
            restorable (knowrithm), they are its data, not tombstones: gc keeps them and removes \
            only what the remote deleted for good. The daemon does the same once a day.

            Exit status: 0; 65 not a replica; 66 no replica; 75 the replica is locked by another \
            process.

            Example:
              convosync gc --account work --older-than 7
            """
    )

    @OptionGroup var location: ReplicaLocationOptions

    /// The longest retention `--older-than` takes: a century, far past any real one, and
    /// small enough that the cut-off is a representable time.
    static let maximumDays = 36_500

    @Option(name: .customLong("older-than"), help: ArgumentHelp("Remove tombstones older than this many days (0-36500).", valueName: "days"))
    var olderThan: Int = 30

    @Flag(name: .long, help: "Print the count as one JSON document, for scripts.")
    var json = false

    func validate() throws {
        guard (0...Self.maximumDays).contains(olderThan) else {
            throw ValidationError("--older-than takes a number of days between 0 and \(Self.maximumDays).")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let cutoff = Date().addingTimeInterval(-Double(olderThan) * 86_400)
            let removed = try await OfflineSession.with(replicaAt: try location.path()) { session in
                try await session.collectTombstones(olderThan: cutoff)
            }
            if json {
                try printJSON(JSONValue.object([
                    "removed": .int(Int64(removed)), "older_than_days": .int(Int64(olderThan)),
                    "cutoff": .string(Timestamp.format(cutoff)),
                ]))
            } else {
                let noun = removed == 1 ? "tombstone" : "tombstones"
                print("Removed \(removed) \(noun) older than \(olderThan) \(olderThan == 1 ? "day" : "days").")
            }
        }
    }
}
