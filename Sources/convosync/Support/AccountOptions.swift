import ArgumentParser
import ConvoAccounts
import ConvoStore
import Foundation

/// The options of every command that talks to a remote: a named account, or the account
/// spelled out, and where the secret comes from.
///
/// Precedence: flags, then the environment (`CONVOSYNC_ACCOUNT`), then the config files under
/// `$XDG_CONFIG_HOME/convosync/`. Secrets are never flags: a flag shows in `ps` and argument
/// errors echo values. `CONVOSYNC_API_KEY` and `CONVOSYNC_API_SECRET` apply only to the remote
/// the command line names with `--remote`, or to the named account with
/// `--credential-from-env`; a saved account otherwise uses its stored credential.
struct AccountOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "An account saved with 'convosync accounts add' (default: $CONVOSYNC_ACCOUNT).", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp(
        "The replica file (default for an account: $XDG_DATA_HOME/convosync/NAME.convosync).", valueName: "file"))
    var db: String?

    @Option(help: ArgumentHelp("The dialect's base URL, as the platform or the emulator prints it.", valueName: "url"))
    var remote: String?

    @Option(help: ArgumentHelp("The API the remote speaks: \(Dialect.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "dialect"))
    var dialect: Dialect?

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "An agent in scope (repeatable; needed for turns, discovered by v2 when absent).", valueName: "id"))
    var agentIDs: [String] = []

    @Option(name: .customLong("credentials-file"), help: ArgumentHelp(
        "The credentials file (default: $XDG_CONFIG_HOME/convosync/credentials.json).", valueName: "file"))
    var credentialsFile: String?

    @Flag(name: .customLong("credential-from-env"), help: ArgumentHelp(
        "Use CONVOSYNC_API_KEY (and CONVOSYNC_API_SECRET) for the --account named, over its stored credential. Without it the environment applies only with --remote."))
    var credentialFromEnvironment = false

    /// Resolves the account, its replica and its credentials (see ``AccountRequest``).
    /// - Throws: `AccountsError` `.configuration` for an unknown account, a missing remote, dialect,
    ///   replica or credential, a bad URL or an unsafe credentials file.
    func resolve(environment: [String: String]) throws -> ResolvedAccount {
        try AccountRequest(
            account: account, db: db, remote: remote, dialect: dialect, agentIDs: agentIDs,
            credentialsFile: credentialsFile, credentialFromEnvironment: credentialFromEnvironment
        ).resolve(environment: environment)
    }
}

extension Dialect: ExpressibleByArgument {}
