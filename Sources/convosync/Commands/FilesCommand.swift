import ArgumentParser
import ConvoStore
import ConvoSync
import Foundation

/// `convosync files CONV`: a conversation's files, listed or fetched into the replica's folder.
struct FilesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "files",
        abstract: "List a conversation's files, or fetch one into the replica's folder.",
        discussion: """
            Lists the files the remote holds for the conversation (v2) and records them in the \
            replica; --fetch REF downloads one, byte for byte, into the replica's own folder and \
            prints where it landed (names come from the file's reference, never from its free-text \
            name). --offline lists what the replica already holds, with no network.

            Exit status: 0 success; 65 no such conversation or file; 69 the dialect has no files, or \
            the remote cannot be reached; 77 the credential was refused; 78 configuration.

            Example:
              convosync files --account support conv_7f3a
              convosync files --account support conv_7f3a --fetch file_91c2
            """
    )

    @OptionGroup var account: AccountOptions

    @Argument(help: ArgumentHelp("The conversation's remote id.", valueName: "conversation"))
    var conversation: String

    @Option(help: ArgumentHelp("Download this file (its ref, as listed) into the replica's folder.", valueName: "ref"))
    var fetch: String?

    @Flag(help: "Use only what the replica holds; no network.")
    var offline = false

    @Flag(help: "Print one JSON document, for scripts.")
    var json = false

    func run() async throws {
        try await reportingFailures {
            try await ContentSession.with(account, offline: offline) { engine, replica in
                if let ref = fetch {
                    guard let engine else {
                        guard let file = try await replica.file(ref: ref), let url = file.cachedURL else {
                            throw CommandFailure("'\(TextLayout.printable(ref))' is not cached; fetch it without --offline.", exitCode: SysExits.unavailable)
                        }
                        try output([file], fetched: url)
                        return
                    }
                    let url = try await engine.fetchFile(ref: ref, of: conversation)
                    let file = try await replica.file(ref: ref)
                    try output(file.map { [$0] } ?? [], fetched: url)
                    return
                }
                let files: [StoredFile]
                if let engine {
                    files = try await engine.refreshFiles(of: conversation)
                } else {
                    files = try await replica.files(conversationID: conversation)
                }
                try output(files, fetched: nil)
            }
        }
    }

    private func output(_ files: [StoredFile], fetched: URL?) throws {
        if json {
            try printJSON(FilesDocument(conversation: conversation, files: files.map(FilesDocument.File.init), fetched: fetched?.path))
            return
        }
        if let fetched {
            print(fetched.path)
            return
        }
        guard !files.isEmpty else {
            print("No files.")
            return
        }
        let terminal = Terminal.standardOutput(environment: ProcessInfo.processInfo.environment)
        let rows = files.map { file in
            [
                TextLayout.printable(file.ref), file.direction.rawValue, file.size.map { SyncProgress.byteCount(Int($0)) } ?? "?",
                file.cachedURL == nil ? "" : "cached", TextLayout.printable(file.name),
            ]
        }
        for line in TextLayout.table(header: ["REF", "DIRECTION", "SIZE", "LOCAL", "NAME"], rows: rows, width: terminal.width) {
            print(line)
        }
    }
}

/// `files --json`.
private struct FilesDocument: Encodable {
    struct File: Encodable {
        let ref: String
        let name: String
        let contentType: String?
        let size: Int64?
        let direction: String
        let cachedPath: String?

        init(_ file: StoredFile) {
            ref = file.ref
            name = file.name
            contentType = file.contentType
            size = file.size
            direction = file.direction.rawValue
            cachedPath = file.cachedURL?.path
        }

        enum CodingKeys: String, CodingKey {
            case ref, name, size, direction
            case contentType = "content_type", cachedPath = "cached_path"
        }
    }

    let conversation: String
    let files: [File]
    let fetched: String?
}
