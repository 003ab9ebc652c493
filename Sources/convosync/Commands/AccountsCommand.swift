import ArgumentParser

/// `convosync accounts`: the named accounts other commands take with `--account NAME`.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Add, list and remove named accounts.",
        discussion: """
            An account names a remote (base URL and dialect), the agents in scope and a replica \
            file, so that other commands take --account NAME instead of spelling them out. The \
            list lives in $XDG_CONFIG_HOME/convosync/accounts.json (default ~/.config); secrets \
            live apart in credentials.json beside it, readable only by you, and are never shown.

            Example:
              CONVOSYNC_API_KEY=... convosync accounts add work --remote https://api.example.com/v1 --dialect agentflow
              convosync accounts list
              convosync sync --account work
            """,
        subcommands: [AccountsAddCommand.self, AccountsListCommand.self, AccountsRemoveCommand.self]
    )
}
