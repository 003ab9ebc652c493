import ArgumentParser
import ConvoAccounts
import ConvoSync
import Foundation

/// `convosync demo`: the first five minutes — a platform, a sync, offline search and writes.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "See ConvoSync work end to end against a built-in emulated platform.",
        discussion: """
            Starts the emulator in this process on a free loopback port with a seeded tenant, \
            syncs it into a fresh replica with a progress bar, searches it and shows a \
            conversation, then stops the emulator: search still works and writes queue in the \
            outbox. It restarts the emulator and the queue flushes. Nothing leaves this machine. \
            The replica stays for you to explore; the emulated platform's data is removed.

            Example:
              convosync demo
              convosync demo --db demo.convosync --conversations 2000
            """
    )

    @Option(help: ArgumentHelp(
        "The replica to create (replaced if it exists; default: $XDG_DATA_HOME/convosync/demo.convosync).", valueName: "file"))
    var db: String?

    @Option(help: ArgumentHelp("How many conversations the emulated tenant holds (10-20000).", valueName: "n"))
    var conversations = 400

    func validate() throws {
        guard (10...20_000).contains(conversations) else { throw ValidationError("--conversations must be between 10 and 20000.") }
    }

    func run() async throws {
        try await reportingFailures {
            let environment = ProcessInfo.processInfo.environment
            let path = try db ?? XDGPaths(environment: environment).defaultReplica(account: "demo")
            try Self.prepareFreshReplica(at: path)
            let remoteFolder = FileManager.default.temporaryDirectory
                .appendingPathComponent("convosync-demo-\(ProcessInfo.processInfo.processIdentifier)")
            try FileManager.default.createDirectory(at: remoteFolder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: remoteFolder) }
            var demo = Demo(
                replicaPath: path, remoteDatabase: remoteFolder.appendingPathComponent("platform.sqlite").path,
                conversations: conversations, environment: environment)
            try await demo.run()
        }
    }

    /// The demo starts from nothing: an earlier demo replica at `path` is removed (only a
    /// replica: any other file there is refused, untouched).
    private static func prepareFreshReplica(at path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(
            atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try SyncSession.removeReplica(at: path)  // refuses a foreign file, untouched
    }
}
