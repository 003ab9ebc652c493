import ConvoModel
import Foundation

/// The account list and the credentials file, changed together so that no crash ever leaves
/// a secret nobody can see or remove: what `convosync accounts add` and `remove` do, for an
/// app that manages accounts itself.
///
///     let saved = SavedAccounts(paths: try XDGPaths(environment: environment))
///     try saved.add("work", AccountEntry(remote: url, dialect: .agentflow), credential: StoredCredential(apiKey: key))
public struct SavedAccounts: Sendable {
    /// Where the files are.
    public let paths: XDGPaths

    /// The saved accounts under `paths`.
    public init(paths: XDGPaths) {
        self.paths = paths
    }

    /// Refuses, before anything is asked or written, an account that cannot be added: a bad
    /// name, a URL the dialect cannot use, a turns account without agents, a name in use, a
    /// credentials file others may read.
    /// - Throws: `AccountsError` `.configuration`; `.ioFailure` when the list cannot be read.
    public func checkNew(_ name: String, _ entry: AccountEntry) throws {
        try AccountsFile.requireValidName(name)
        _ = try RemoteLocation(entry.remote, dialect: entry.dialect)
        if entry.dialect == .turns && entry.agents.isEmpty {
            throw AccountsError(
                .configuration, "The turns dialect lists conversations per agent: name them with --agent ID (repeatable).")
        }
        if try AccountsFile.load(from: paths.accountsFile).accounts[name] != nil {
            throw AccountsError(
                .configuration,
                "An account named '\(name)' already exists; remove it first with 'convosync accounts remove \(name)'.")
        }
        // A credentials file others may read is refused now, before a secret is asked for.
        _ = try CredentialsFile.load(from: entry.credentialsFile ?? paths.credentialsFile)
    }

    /// Adds account `name` with its secret. The secret is written first (0600) and taken back
    /// out if the entry cannot be written, so a failure leaves no secret for an account that
    /// is not there.
    /// - Throws: what ``checkNew(_:_:)`` throws; `AccountsError` `.cannotCreate` or
    ///   `.ioFailure` when a file cannot be written.
    public func add(_ name: String, _ entry: AccountEntry, credential: StoredCredential) throws {
        try checkNew(name, entry)
        var accounts = try AccountsFile.load(from: paths.accountsFile)
        let credentialsPath = entry.credentialsFile ?? paths.credentialsFile
        let previous = try CredentialsFile.load(from: credentialsPath)
        var credentials = previous
        credentials.entries[name] = credential
        try credentials.save(to: credentialsPath)
        accounts.accounts[name] = entry
        do {
            try accounts.save(to: paths.accountsFile)
        } catch {
            try? previous.save(to: credentialsPath)
            throw error
        }
    }

    /// Removes account `name` and its stored secret; returns its entry. Its replica is kept.
    /// The secret goes first: a crash between the two writes leaves an account without a
    /// stored secret, never a secret nobody can see or remove.
    /// - Throws: `AccountsError` `.configuration` for an unknown account; `.cannotCreate` or
    ///   `.ioFailure` when a file cannot be written.
    @discardableResult
    public func remove(_ name: String) throws -> AccountEntry {
        var accounts = try AccountsFile.load(from: paths.accountsFile)
        guard let entry = accounts.accounts.removeValue(forKey: name) else {
            throw AccountsError(.configuration, "There is no account '\(PrintableText.of(name))'; see 'convosync accounts list'.")
        }
        let credentialsPath = entry.credentialsFile ?? paths.credentialsFile
        var credentials = try CredentialsFile.load(from: credentialsPath)
        if credentials.entries.removeValue(forKey: name) != nil {
            try credentials.save(to: credentialsPath)
        }
        try accounts.save(to: paths.accountsFile)
        return entry
    }

    /// The saved account `name`, for a command that works on its replica alone (`--account`
    /// without a remote: list, search, status).
    /// - Throws: `AccountsError` `.configuration` for an invalid or unknown name;
    ///   `.ioFailure` when the list cannot be read.
    public func entry(_ name: String) throws -> AccountEntry {
        try AccountsFile.requireValidName(name)
        guard let entry = try AccountsFile.load(from: paths.accountsFile).accounts[name] else {
            throw AccountsError(
                .configuration,
                "There is no account '\(PrintableText.of(name))' in \(paths.accountsFile); see 'convosync accounts list'.")
        }
        return entry
    }

    /// The replica file of saved account `name` (see ``replicaPath(of:_:)``); with
    /// `creatingFolder`, the data folder is created (0700) when the replica defaults to it.
    /// - Throws: what ``entry(_:)`` throws; `AccountsError` `.cannotCreate` for the folder.
    public func replicaPath(ofAccount name: String, creatingFolder: Bool = false) throws -> String {
        let entry = try entry(name)
        if let db = entry.db { return db }
        if creatingFolder {
            do {
                try FileManager.default.createDirectory(
                    atPath: paths.dataFolder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw AccountsError(
                    .cannotCreate, "Cannot create the folder '\(paths.dataFolder)' for the replica; check its parent's permissions.")
            }
        }
        return paths.defaultReplica(account: name)
    }

    /// The replica file account `name` uses: its own `db`, else the default in the data folder.
    public func replicaPath(of name: String, _ entry: AccountEntry) -> String {
        entry.db ?? paths.defaultReplica(account: name)
    }
}
