import ConvoModel
import ConvoRemote
import Foundation

/// What a command (or the daemon, per configured account) asks for, before resolution:
/// each field set overrides the named account's saved setting. Resolving reads the
/// environment and the config files under `$XDG_CONFIG_HOME/convosync/`.
///
///     let resolved = try AccountRequest(account: "work").resolve(environment: ProcessInfo.processInfo.environment)
struct AccountRequest: Sendable {
    /// The account's name; `nil` means `$CONVOSYNC_ACCOUNT`, or none.
    var account: String?
    /// The replica file, over the account's.
    var db: String?
    /// The base URL, over the account's.
    var remote: String?
    /// The dialect, over the account's.
    var dialect: Dialect?
    /// The agents in scope, over the account's when not empty.
    var agentIDs: [String] = []
    /// The credentials file, over the account's and the default one.
    var credentialsFile: String?
    /// Whether `CONVOSYNC_API_KEY`/`CONVOSYNC_API_SECRET` may stand in for the named account's
    /// stored credential (`--credential-from-env`). Without `--remote` and without this, a
    /// named account uses only its stored credential: a key in the environment is meant for
    /// one remote, and sending it to every saved account's host would hand it to all of them.
    var credentialFromEnvironment = false

    /// Resolves the account, its replica and its credentials.
    /// - Throws: `CommandFailure` 78 for an unknown account, a missing remote, dialect,
    ///   replica or credential, a bad URL or an unsafe credentials file.
    func resolve(environment: [String: String]) throws -> ResolvedAccount {
        let paths = try XDGPaths(environment: environment)
        let name = account ?? environment["CONVOSYNC_ACCOUNT"].flatMap { $0.isEmpty ? nil : $0 }
        var entry: AccountEntry?
        if let name {
            try AccountsFile.requireValidName(name)
            let accounts = try AccountsFile.load(from: paths.accountsFile)
            guard let found = accounts.accounts[name] else {
                throw CommandFailure(
                    "There is no account '\(TextLayout.printable(name))' in \(paths.accountsFile); add it with 'convosync accounts add \(TextLayout.printable(name)) --remote URL --dialect DIALECT', or see 'convosync accounts list'.",
                    exitCode: SysExits.configuration)
            }
            entry = found
        }
        guard let remoteText = remote ?? entry?.remote, let dialect = dialect ?? entry?.dialect else {
            throw CommandFailure(
                "No remote to sync from: pass --remote URL and --dialect DIALECT, or --account NAME (see 'convosync accounts add').",
                exitCode: SysExits.configuration)
        }
        let location = try RemoteLocation(remoteText, dialect: dialect)
        let agents = agentIDs.isEmpty ? entry?.agents ?? [] : agentIDs
        if dialect == .turns && agents.isEmpty {
            throw CommandFailure(
                "The turns dialect lists conversations per agent: name them with --agent ID (repeatable).",
                exitCode: SysExits.configuration)
        }
        let replicaPath: String
        var usesDataFolder = false
        if let path = db ?? entry?.db {
            replicaPath = path
        } else if let name {
            replicaPath = paths.defaultReplica(account: name)
            usesDataFolder = true
        } else {
            throw CommandFailure(
                "No replica file: pass --db FILE, or --account NAME to use the account's replica.",
                exitCode: SysExits.configuration)
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
                throw CommandFailure(
                    "There is no credentials file '\(filePath)'; check --credentials-file.", exitCode: SysExits.configuration)
            }
            let stored = try CredentialsFile.load(from: filePath).entries[name ?? CredentialsFile.defaultEntry]
            key = key ?? stored?.apiKey.flatMap { $0.isEmpty ? nil : $0 }
            secret = secret ?? stored?.apiSecret.flatMap { $0.isEmpty ? nil : $0 }
        }
        let whose = name.map { "account '\(TextLayout.printable($0))'" } ?? "this remote"
        let fromEnvironment = ignoredEnvironment.isEmpty ? "" : " with --credential-from-env"
        let ignoredKey = ignoredEnvironment["CONVOSYNC_API_KEY"].map { !$0.isEmpty } ?? false
        if key == nil, ignoredKey, let name {
            throw CommandFailure(
                "No credential is stored for account '\(TextLayout.printable(name))', and CONVOSYNC_API_KEY applies only to a command given --remote: store it with 'convosync accounts add', or pass --credential-from-env to use it for this account.",
                exitCode: SysExits.configuration)
        }
        guard let key else {
            throw CommandFailure(
                "No credentials for \(whose): set CONVOSYNC_API_KEY\(needsSecret ? " and CONVOSYNC_API_SECRET" : "")\(fromEnvironment), or store them with 'convosync accounts add'.",
                exitCode: SysExits.configuration)
        }
        guard needsSecret else { return .bearer(key) }
        guard let secret else {
            throw CommandFailure(
                "knowrithm also needs an API secret for \(whose): set CONVOSYNC_API_SECRET\(fromEnvironment), or store it with 'convosync accounts add'.",
                exitCode: SysExits.configuration)
        }
        return .apiKey(key, secret: secret)
    }
}
