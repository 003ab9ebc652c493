import ArgumentParser

/// The `convosync` command: search, read, import and export a replica of an agent
/// platform's conversations.
@main
struct Convosync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convosync",
        abstract: "Keep a local, searchable replica of an agent platform's conversations.",
        discussion: """
            Exit status follows sysexits(3): 0 success (also when nothing matches), 64 usage, 65 bad data, 66 no such replica or input file, 74 I/O error, 75 try again later.

            Example:
              convosync import --db work.convosync Fixtures/sample.jsonl
              convosync search --db work.convosync "renewal -draft"
            """,
        subcommands: [
            ListCommand.self,
            ShowCommand.self,
            SearchCommand.self,
            ImportCommand.self,
            ExportCommand.self,
        ]
    )
}
