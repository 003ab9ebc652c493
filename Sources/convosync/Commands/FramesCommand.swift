import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

/// `convosync frames CONV [NAME]`: a conversation's data frames, or a slice of one.
struct FramesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frames",
        abstract: "List a conversation's data frames, or show a slice of one.",
        discussion: """
            Without NAME, lists the data frames the remote holds for the conversation (v2): name, \
            columns, rows. With NAME, shows rows of that frame (--offset, --limit, --columns, \
            --order-by, --descending); the frame is cached in the replica, so the same slice \
            works later with --offline.

            Exit status: 0 success; 64 a bad slice; 65 no such conversation or frame; 69 a dialect \
            without data frames, or the remote cannot be reached and nothing is cached; 77 the \
            credential was refused; 78 configuration.

            Example:
              convosync frames --account support conv_7f3a
              convosync frames --account support conv_7f3a invoices --columns customer,total --order-by total --descending --limit 5
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation's remote id.", valueName: "conversation"))
    var conversation: String

    @Argument(help: ArgumentHelp("A data frame's name, to show its rows.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("The first row to show, from 0 (at most the largest frame convosync loads).", valueName: "n"))
    var offset = 0

    @Option(help: ArgumentHelp("The most rows to show (1-\(Replica.maximumSliceRows)).", valueName: "n"))
    var limit = 20

    @Option(help: ArgumentHelp("The columns to show, comma-separated (default: all).", valueName: "a,b"))
    var columns: String?

    @Option(name: .customLong("order-by"), help: ArgumentHelp("Order the rows by this column.", valueName: "column"))
    var orderBy: String?

    @Flag(help: "With --order-by: largest first.")
    var descending = false

    @Flag(help: "Use only what the replica holds; no network.")
    var offline = false

    @Flag(help: "Print one JSON document, for scripts.")
    var json = false

    func validate() throws {
        let rows = ContentLimits.default.maximumFrameRows
        guard (0...rows).contains(offset) else {
            throw ValidationError("--offset must be between 0 and \(rows) (the most rows convosync loads of a frame).")
        }
        guard (1...Replica.maximumSliceRows).contains(limit) else {
            throw ValidationError("--limit must be between 1 and \(Replica.maximumSliceRows).")
        }
    }

    func run() async throws {
        try await reportingFailures {
            try await ContentSession.with(account, offline: offline) { engine, replica in
                let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
                guard let name else {
                    let frames: [StoredDataFrame]
                    if let engine {
                        frames = try await engine.refreshDataFrames(of: conversation)
                    } else {
                        frames = try await replica.dataFrames(conversationID: conversation)
                    }
                    try list(frames, terminal: terminal)
                    return
                }
                let chosen = columns.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
                let slice: StoredDataFrameSlice
                if let engine {
                    slice = try await engine.dataFrameSlice(
                        named: name, of: conversation, offset: offset, limit: limit, columns: chosen, orderBy: orderBy,
                        descending: descending)
                } else {
                    guard let cached = try await replica.dataFrameSlice(
                        name: name, conversationID: conversation, offset: offset, limit: limit, columns: chosen,
                        orderBy: orderBy, descending: descending)
                    else {
                        throw CommandFailure(
                            "The rows of '\(TextLayout.printable(name))' are not cached; show them once without --offline.",
                            exitCode: SysExits.unavailable)
                    }
                    slice = cached
                }
                try show(slice, terminal: terminal)
            }
        }
    }
}
