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
            let saved = SavedAccounts(paths: try XDGPaths(environment: ProcessInfo.processInfo.environment))
            let entry = try saved.remove(name)
            let replica = saved.replicaPath(of: name, entry)
            print("Removed account '\(name)'. Its replica \(replica) was kept; delete it if you no longer need it.")
        }
    }
}
