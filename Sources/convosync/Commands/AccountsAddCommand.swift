import ArgumentParser
import ConvoAccounts
import ConvoStore
import Foundation

/// `convosync accounts add`: saves a named account and its secret.
struct AccountsAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Save a named account and its credential.",
        discussion: """
            The credential is read from CONVOSYNC_API_KEY (and CONVOSYNC_API_SECRET for \
            knowrithm), or asked for with echo off when standard input is a terminal; it is \
            never taken from a flag, since flags show in ps. It is stored in the credentials \
            file (mode 0600) and never printed. Both files are replaced atomically.

            Example:
              CONVOSYNC_API_KEY=... convosync accounts add support --remote https://api.example.com/tenants/acme/api/v2 --dialect v2 --agent agent_7
            """
    )

    @Argument(help: ArgumentHelp("The account's name: letters, digits, '-', '_' and '.'.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("The dialect's base URL, as the platform or the emulator prints it.", valueName: "url"))
    var remote: String

    @Option(help: ArgumentHelp("The API the remote speaks: \(Dialect.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "dialect"))
    var dialect: Dialect

    @Option(name: .customLong("agent"), help: ArgumentHelp(
        "An agent in scope (repeatable; needed for turns, discovered by v2 when absent).", valueName: "id"))
    var agentIDs: [String] = []

    @Option(help: ArgumentHelp(
        "The replica file (default: $XDG_DATA_HOME/convosync/NAME.convosync).", valueName: "file"))
    var db: String?

    @Option(name: .customLong("credentials-file"), help: ArgumentHelp(
        "Where to store the credential (default: $XDG_CONFIG_HOME/convosync/credentials.json).", valueName: "file"))
    var credentialsFile: String?

    // Refused on purpose: a secret on the command line shows in `ps` and in shell history.
    @Option(name: [.customLong("api-key"), .customLong("key"), .customLong("token")], help: .hidden)
    var secretKeyFlag: String?
    @Option(name: [.customLong("api-secret"), .customLong("secret"), .customLong("password")], help: .hidden)
    var secretFlag: String?

    func validate() throws {
        if secretKeyFlag != nil || secretFlag != nil {
            throw ValidationError(
                "Credentials are never taken from flags (they show in ps): set CONVOSYNC_API_KEY (and CONVOSYNC_API_SECRET), or run from a terminal to be asked.")
        }
        guard AccountsFile.isValidName(name) else {
            throw ValidationError("An account name takes letters, digits, '-', '_' and '.' (up to 64, not starting with '.').")
        }
    }

    func run() async throws {
        try await reportingFailures {
            let environment = ProcessInfo.processInfo.environment
            let saved = SavedAccounts(paths: try XDGPaths(environment: environment))
            // Paths are saved absolute: later commands run from other folders.
            let entry = AccountEntry(
                remote: remote, dialect: dialect, agents: agentIDs, db: db.map(Self.absolute),
                credentialsFile: credentialsFile.map(Self.absolute))
            try saved.checkNew(name, entry)  // before asking for a secret
            try saved.add(name, entry, credential: try readCredential(environment: environment))
            let replica = saved.replicaPath(of: name, entry)
            print("Added account '\(name)' (\(dialect.rawValue)); its replica is \(replica). Sync it with 'convosync sync --account \(name)'.")
        }
    }

    /// `path` made absolute against the current folder.
    private static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    /// The secret from the environment, else asked for on the terminal.
    private func readCredential(environment: [String: String]) throws -> StoredCredential {
        let needsSecret = dialect == .knowrithm
        var key = environment["CONVOSYNC_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        var secret = environment["CONVOSYNC_API_SECRET"].flatMap { $0.isEmpty ? nil : $0 }
        if key == nil || (needsSecret && secret == nil) {
            guard SecretPrompt.isAvailable else {
                throw CommandFailure(
                    "No credential: set CONVOSYNC_API_KEY\(needsSecret ? " and CONVOSYNC_API_SECRET" : "") (or run from a terminal to be asked); a credential is never taken from a flag.",
                    exitCode: SysExits.configuration)
            }
            if key == nil { key = SecretPrompt.read("API key for '\(name)': ").flatMap { $0.isEmpty ? nil : $0 } }
            if needsSecret && secret == nil {
                secret = SecretPrompt.read("API secret for '\(name)': ").flatMap { $0.isEmpty ? nil : $0 }
            }
        }
        guard let key, !needsSecret || secret != nil else {
            throw CommandFailure("No credential was given, so nothing was saved.", exitCode: SysExits.configuration)
        }
        return StoredCredential(apiKey: key, apiSecret: needsSecret ? secret : nil)
    }
}
