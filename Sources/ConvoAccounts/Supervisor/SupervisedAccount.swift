import ConvoSync
import Foundation

/// One account as the supervisor runs it: where it syncs from and into, and what it follows live.
public struct SupervisedAccount: Sendable {
    /// The account's name, on every log line and in the status file.
    public var name: String
    /// The remote, with credentials.
    public var account: RemoteAccount
    /// The replica file.
    public var replicaPath: String
    /// Conversations to follow live (dialects with a watch stream).
    public var watch: [String]

    /// An account to run.
    public init(name: String, account: RemoteAccount, replicaPath: String, watch: [String] = []) {
        self.name = name
        self.account = account
        self.replicaPath = replicaPath
        self.watch = watch
    }

    /// The saved accounts named in `names` (every saved account when empty), resolved the way
    /// `--account NAME` resolves one: each with its own stored credential, never the
    /// environment's. Their data folders are created (0700) where their replicas default to it.
    ///
    ///     let accounts = try SupervisedAccount.saved(environment: ProcessInfo.processInfo.environment)
    ///
    /// - Throws: `AccountsError` `.configuration` when there is no account to run, a name is
    ///   unknown or a credential is missing; `.cannotCreate` for a data folder.
    public static func saved(
        names: [String] = [], watching watched: [String] = [], environment: [String: String]
    ) throws -> [SupervisedAccount] {
        let paths = try XDGPaths(environment: environment)
        let selected = names.isEmpty ? try AccountsFile.load(from: paths.accountsFile).accounts.keys.sorted() : names
        guard !selected.isEmpty else {
            throw AccountsError(
                .configuration,
                "There are no accounts to sync in \(paths.accountsFile); add one with 'convosync accounts add NAME --remote URL --dialect DIALECT'.")
        }
        return try selected.map { name in
            let resolved = try AccountRequest(account: name).resolve(environment: environment)
            try resolved.prepareDataFolder()
            return SupervisedAccount(name: name, account: resolved.remote, replicaPath: resolved.replicaPath, watch: watched)
        }
    }
}
