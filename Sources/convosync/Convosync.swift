import ArgumentParser

/// The `convosync` command: sync, search, read, import and export a replica of an agent
/// platform's conversations.
@main
struct Convosync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convosync",
        abstract: "Keep a local, searchable replica of an agent platform's conversations.",
        discussion: """
            Exit status follows sysexits(3): 0 success (also when nothing matches), 64 usage, 65 bad data, 66 no such replica or input file, 69 remote unreachable, 74 I/O error, 75 try again later, 76 remote protocol error, 77 credentials refused, 78 configuration error.

            Example:
              convosync sync --account work
              convosync import --db work.convosync Fixtures/sample.jsonl
              convosync search --db work.convosync "renewal -draft"
              convosync send --account work conv_3f2a9c1d8e7b6a50 "Summarise this thread"
              convosync status
            """,
        subcommands: [
            DemoCommand.self,
            ListCommand.self,
            ShowCommand.self,
            SearchCommand.self,
            ImportCommand.self,
            ExportCommand.self,
            SyncCommand.self,
            VerifyCommand.self,
            StatusCommand.self,
            NewCommand.self,
            SendCommand.self,
            RenameCommand.self,
            DeleteCommand.self,
            RestoreCommand.self,
            RetryCommand.self,
            DiscardCommand.self,
            WatchCommand.self,
            GCCommand.self,
            DaemonCommand.self,
            FilesCommand.self,
            FramesCommand.self,
            AccountsCommand.self,
        ]
    )
}
