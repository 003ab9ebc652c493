import ArgumentParser
import ConvoAccounts
import Foundation

/// `convosync accounts remove`: forgets a named account and its stored secret.
struct AccountsRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Forget a named account and its stored credential.",
        discussion: """
            The account's replica file is kept: delete it yourself if you no longer need it.

            Example:
              convosync accounts remove work
            """
    )

    @Argument(help: ArgumentHelp("The account's name.", valueName: "name"))
    var name: String

    func run() async throws {
        try await reportingFailures {
            let paths = try XDGPaths(environment: ProcessInfo.processInfo.environment)
            var accounts = try AccountsFile.load(from: paths.accountsFile)
            guard let entry = accounts.accounts.removeValue(forKey: name) else {
                throw CommandFailure(
                    "There is no account '\(TextLayout.printable(name))'; see 'convosync accounts list'.",
                    exitCode: SysExits.configuration)
            }
            // The secret goes first: a crash between the two writes leaves an account
            // without a stored secret, never a secret nobody can see or remove.
            let credentialsPath = entry.credentialsFile ?? paths.credentialsFile
            var credentials = try CredentialsFile.load(from: credentialsPath)
            if credentials.entries.removeValue(forKey: name) != nil {
                try credentials.save(to: credentialsPath)
            }
            try accounts.save(to: paths.accountsFile)
            let replica = entry.db ?? paths.defaultReplica(account: name)
            print("Removed account '\(name)'. Its replica \(replica) was kept; delete it if you no longer need it.")
        }
    }
}
