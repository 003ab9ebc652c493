import ArgumentParser
import ConvoAccounts
import Foundation

/// `convosync accounts list`: the named accounts, never their secrets.
struct AccountsListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the named accounts (never their credentials).",
        discussion: """
            Example:
              convosync accounts list
              convosync accounts list --json
            """
    )

    @Flag(name: .long, help: "Print one JSON document, for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            let paths = try XDGPaths(environment: ProcessInfo.processInfo.environment)
            let accounts = try AccountsFile.load(from: paths.accountsFile)
            let listed = accounts.accounts.keys.sorted().compactMap { name in
                accounts.accounts[name].map { ListedAccount(name: name, entry: $0, paths: paths) }
            }
            if json {
                try printJSON(ListedAccounts(accounts: listed))
                return
            }
            guard !listed.isEmpty else {
                print("No accounts yet; add one with 'convosync accounts add NAME --remote URL --dialect DIALECT'.")
                return
            }
            let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
            let rows = listed.map { account in
                [account.name, account.dialect, account.agents.isEmpty ? "-" : account.agents.joined(separator: ","),
                 account.db, account.remote]
            }
            let lines = TextLayout.table(
                header: ["NAME", "DIALECT", "AGENTS", "REPLICA", "REMOTE"], rows: rows, width: terminal.width)
            print(terminal.bold(lines[0]))
            lines.dropFirst().forEach { print($0) }
        }
    }
}

/// `accounts list --json`.
private struct ListedAccounts: Encodable {
    let accounts: [ListedAccount]
}

private struct ListedAccount: Encodable {
    let name: String
    let remote: String
    let dialect: String
    let agents: [String]
    let db: String

    init(name: String, entry: AccountEntry, paths: XDGPaths) {
        self.name = name
        remote = entry.remote
        dialect = entry.dialect.rawValue
        agents = entry.agents
        db = entry.db ?? paths.defaultReplica(account: name)
    }
}
