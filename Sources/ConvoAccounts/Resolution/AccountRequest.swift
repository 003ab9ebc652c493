import ConvoModel
import ConvoRemote
import Foundation

/// What a command (or the daemon, per configured account) asks for, before resolution:
/// each field set overrides the named account's saved setting. Resolving reads the
/// environment and the config files under `$XDG_CONFIG_HOME/convosync/`.
///
///     let resolved = try AccountRequest(account: "work").resolve(environment: ProcessInfo.processInfo.environment)
public struct AccountRequest: Sendable {
    /// The account's name; `nil` means `$CONVOSYNC_ACCOUNT`, or none.
    public var account: String?
    /// The replica file, over the account's.
    public var db: String?
    /// The base URL, over the account's.
    public var remote: String?
    /// The dialect, over the account's.
    public var dialect: Dialect?
    /// The agents in scope, over the account's when not empty.
    public var agentIDs: [String] = []
    /// The credentials file, over the account's and the default one.
    public var credentialsFile: String?
    /// Whether `CONVOSYNC_API_KEY`/`CONVOSYNC_API_SECRET` may stand in for the named account's
    /// stored credential (`--credential-from-env`). Without `--remote` and without this, a
    /// named account uses only its stored credential: a key in the environment is meant for
    /// one remote, and sending it to every saved account's host would hand it to all of them.
    public var credentialFromEnvironment = false

    /// A request for the named `account` (or `$CONVOSYNC_ACCOUNT`), each other field set
    /// overriding what the account saved.
    public init(
        account: String? = nil, db: String? = nil, remote: String? = nil, dialect: Dialect? = nil,
        agentIDs: [String] = [], credentialsFile: String? = nil, credentialFromEnvironment: Bool = false
    ) {
        self.account = account
        self.db = db
        self.remote = remote
        self.dialect = dialect
        self.agentIDs = agentIDs
        self.credentialsFile = credentialsFile
        self.credentialFromEnvironment = credentialFromEnvironment
    }

    /// Resolves the account, its replica and its credentials.
    /// - Throws: `AccountsError` `.configuration` for an unknown account, a missing remote, dialect,
    ///   replica or credential, a bad URL or an unsafe credentials file.
    public func resolve(environment: [String: String]) throws -> ResolvedAccount {
        let paths = try XDGPaths(environment: environment)
        let name = account ?? environment["CONVOSYNC_ACCOUNT"].flatMap { $0.isEmpty ? nil : $0 }
        var entry: AccountEntry?
        if let name {
            try AccountsFile.requireValidName(name)
            let accounts = try AccountsFile.load(from: paths.accountsFile)
            guard let found = accounts.accounts[name] else {
                throw AccountsError(.configuration, "There is no account '\(PrintableText.of(name))' in \(paths.accountsFile); add it with 'convosync accounts add \(PrintableText.of(name)) --remote URL --dialect DIALECT', or see 'convosync accounts list'.")
            }
            entry = found
        }
        guard let remoteText = remote ?? entry?.remote, let dialect = dialect ?? entry?.dialect else {
            throw AccountsError(.configuration, "No remote to sync from: pass --remote URL and --dialect DIALECT, or --account NAME (see 'convosync accounts add').")
        }
        let location = try RemoteLocation(remoteText, dialect: dialect)
        let agents = agentIDs.isEmpty ? entry?.agents ?? [] : agentIDs
        if dialect == .turns && agents.isEmpty {
            throw AccountsError(.configuration, "The turns dialect lists conversations per agent: name them with --agent ID (repeatable).")
        }
        let replicaPath: String
        var usesDataFolder = false
        if let path = db ?? entry?.db {
            replicaPath = path
        } else if let name {
            replicaPath = paths.defaultReplica(account: name)
            usesDataFolder = true
        } else {
            throw AccountsError(.configuration, "No replica file: pass --db FILE, or --account NAME to use the account's replica.")
        }
        // An environment credential belongs to the remote the command line names: an ad-hoc
        // account (--remote), or one account the user explicitly opted in.
        let usesEnvironment = remote != nil || credentialFromEnvironment
        let credentials = try resolveCredentials(
            name: name, dialect: dialect, environment: usesEnvironment ? environment : [:],
            ignoredEnvironment: usesEnvironment ? [:] : environment,
            file: credentialsFile ?? entry?.credentialsFile ?? paths.credentialsFile, fileIsExplicit: credentialsFile != nil)
        return ResolvedAccount(
            name: name, replicaPath: replicaPath, usesDataFolder: usesDataFolder,
            remote: RemoteAccount(
                baseURL: location.url, dialect: dialect, tenant: location.tenant, agentIDs: agents, credentials: credentials))
    }

    /// The secret from `environment` (empty unless the environment may apply), else from the
    /// credentials file's entry for the account (or `default`). The file is read only when the
    /// environment falls short. `ignoredEnvironment` only shapes the message when nothing is
    /// stored but a key was set where it does not apply.
    private func resolveCredentials(
        name: String?, dialect: Dialect, environment: [String: String], ignoredEnvironment: [String: String],
        file filePath: String, fileIsExplicit: Bool
    ) throws -> Credentials {
        let needsSecret = dialect == .knowrithm
        var key = environment["CONVOSYNC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        var secret = environment["CONVOSYNC_API_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil || (needsSecret && secret == nil) {
            if fileIsExplicit, !FileManager.default.fileExists(atPath: filePath) {
                throw AccountsError(.configuration, "There is no credentials file '\(filePath)'; check --credentials-file.")
            }
            let stored = try CredentialsFile.load(from: filePath).entries[name ?? CredentialsFile.defaultEntry]
            key = key ?? stored?.apiKey.flatMap { $0.isEmpty ? nil : $0 }
            secret = secret ?? stored?.apiSecret.flatMap { $0.isEmpty ? nil : $0 }
        }
        let whose = name.map { "account '\(PrintableText.of($0))'" } ?? "this remote"
        let fromEnvironment = ignoredEnvironment.isEmpty ? "" : " with --credential-from-env"
        let ignoredKey = ignoredEnvironment["CONVOSYNC_API_KEY"].map { !$0.isEmpty } ?? false
        if key == nil, ignoredKey, let name {
            throw AccountsError(.configuration, "No credential is stored for account '\(PrintableText.of(name))', and CONVOSYNC_API_KEY applies only to a command given --remote: store it with 'convosync accounts add', or pass --credential-from-env to use it for this account.")
        }
        guard let key else {
            throw AccountsError(.configuration, "No credentials for \(whose): set CONVOSYNC_API_KEY\(needsSecret ? " and CONVOSYNC_API_SECRET" : "")\(fromEnvironment), or store them with 'convosync accounts add'.")
        }
        guard needsSecret else { return .bearer(key) }
        guard let secret else {
            throw AccountsError(.configuration, "knowrithm also needs an API secret for \(whose): set CONVOSYNC_API_SECRET\(fromEnvironment), or store it with 'convosync accounts add'.")
        }
        return .apiKey(key, secret: secret)
    }
}
