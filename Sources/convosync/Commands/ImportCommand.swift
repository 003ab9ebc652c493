import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

/// `convosync import`: loads JSON Lines (the export format) into a replica.
struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load conversations from JSON Lines (the export format) into a replica.",
        discussion: """
            Creates the replica (--db, or the account's) when it does not exist. Importing the \
            same file twice changes nothing. A bad line is reported with its line number and \
            nothing from it is written; every good line is kept, and the exit status is then \
            65. The input is streamed, so a file of any size imports in flat memory.

            Example:
              convosync import --db work.convosync conversations.jsonl
              convosync export --db old.convosync | convosync import --db new.convosync -
            """
    )

    @OptionGroup var location: ReplicaLocationOptions

    @Flag(name: .long, help: "Print one JSON document, for scripts.")
    var json = false

    @Argument(help: ArgumentHelp("The JSONL file to read, or - for standard input.", valueName: "input"))
    var input: String

    func run() async throws {
        try await reportingFailures {
            let handle: FileHandle
            if input == "-" {
                handle = FileHandle.standardInput
            } else {
                guard let opened = FileHandle(forReadingAtPath: input) else {
                    throw CommandFailure("Cannot read '\(input)': no such file, or not readable.", exitCode: SysExits.noInput)
                }
                handle = opened
            }
            defer { if input != "-" { try? handle.close() } }
            let report = try await OfflineSession.with(
                replicaAt: try location.path(creatingFolder: true), creatingForImport: true
            ) { session in
                try await session.importJSONL(from: handle)
            }
            if json {
                try printJSON(ImportSummary(report))
            } else {
                for rejection in report.rejections {
                    printError("convosync: line \(rejection.line): \(rejection.message)")
                }
                if report.rejectedCount > report.rejections.count {
                    printError("convosync: … and \(report.rejectedCount - report.rejections.count) more bad lines")
                }
                print(
                    "Imported \(report.inserted) new and \(report.updated) changed conversations; "
                        + "\(report.unchanged) were already up to date"
                        + (report.rejectedCount > 0 ? "; \(report.rejectedCount) bad lines skipped." : "."))
            }
            if report.rejectedCount > 0 { throw ExitCode(SysExits.dataError) }
        }
    }
}

/// `import --json`: counts and the rejected lines.
private struct ImportSummary: Encodable {
    let linesRead: Int
    let inserted: Int
    let updated: Int
    let unchanged: Int
    let rejected: Int
    let rejections: [Rejection]

    struct Rejection: Encodable {
        let line: Int
        let message: String
    }

    init(_ report: ImportReport) {
        linesRead = report.linesRead
        inserted = report.inserted
        updated = report.updated
        unchanged = report.unchanged
        rejected = report.rejectedCount
        rejections = report.rejections.map { Rejection(line: $0.line, message: $0.message) }
    }

    enum CodingKeys: String, CodingKey {
        case inserted, updated, unchanged, rejected, rejections
        case linesRead = "lines_read"
    }
}
