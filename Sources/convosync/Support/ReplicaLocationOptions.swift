import ArgumentParser
import ConvoAccounts
import Foundation

/// Which replica a command works on: a file, or a named account's replica.
///
/// `--db` wins over `--account`, which wins over `$CONVOSYNC_ACCOUNT`. An account's replica
/// is its `db` setting, else `$XDG_DATA_HOME/convosync/NAME.convosync`.
struct ReplicaLocationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The replica file.", valueName: "file"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp(
        "Use this account's replica (see 'convosync accounts list'; default: $CONVOSYNC_ACCOUNT).", valueName: "name"))
    var account: String?

    func validate() throws {
        if db == nil && account == nil && Self.environmentAccount == nil {
            throw ValidationError("Name the replica with --db FILE or --account NAME.")
        }
    }

    /// The replica file's path.
    /// - Parameter creatingFolder: create the account's data folder (mode 0700) when the
    ///   path is the default one there, for commands that may create the replica.
    /// - Throws: `CommandFailure` 64 when no replica is named; `AccountsError` for an unknown
    ///   account or a bad account list.
    func path(creatingFolder: Bool = false) throws -> String {
        if let db { return db }
        guard let name = account ?? Self.environmentAccount else {
            throw CommandFailure("Name the replica with --db FILE or --account NAME.", exitCode: SysExits.usage)
        }
        return try SavedAccounts(paths: XDGPaths(environment: ProcessInfo.processInfo.environment))
            .replicaPath(ofAccount: name, creatingFolder: creatingFolder)
    }

    private static var environmentAccount: String? {
        ProcessInfo.processInfo.environment["CONVOSYNC_ACCOUNT"].flatMap { $0.isEmpty ? nil : $0 }
    }
}
