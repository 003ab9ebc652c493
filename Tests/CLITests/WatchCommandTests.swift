import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `convosync watch` follows a conversation until SIGINT or SIGTERM.
@Suite("convosync watch")
struct WatchCommandTests {
    @Test("watch prints a message another client adds, and SIGTERM stops it with 0", arguments: [Dialect.agentflow, .knowrithm])
    func watchPrintsRemoteChange(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await SyncedReplica.with(dialect, in: folder, admin: true) { synced in
                let id = try #require(try await synced.truth().first { !$0.deleted }?.id)
                let (process, output, errors) = try await Self.startWatch(id, of: synced, in: folder)
                defer { if process.isRunning { process.terminate() } }
                let said = try String(contentsOf: errors, encoding: .utf8)
                #expect(said.contains("no live stream") == (dialect != .agentflow))
                try await EmulatorAdmin(synced.emulator).append(to: id, content: "Words from another client")
                try await Self.waitFor("the new message", in: output, process: process) {
                    $0.contains("Words from another client")
                }

                kill(process.processIdentifier, SIGTERM)
                try await Convosync.waitForExit(process)
                let stopped = try String(contentsOf: errors, encoding: .utf8)
                #expect(process.terminationStatus == 0, "\(stopped)")
                #expect(process.terminationReason == .exit)
                let printed = try String(contentsOf: output, encoding: .utf8)
                #expect(printed.components(separatedBy: "Words from another client").count == 2)
                try await synced.withReplica { (replica: Replica) async throws in
                    let detail = try await replica.conversation(id: id)
                    #expect(detail?.turns.contains { $0.text == "Words from another client" } == true)
                }
            }
        }
    }

    /// Starts `convosync watch ID --interval 1` on the synced replica, its output and errors
    /// in files of `folder`, and waits until it says it is watching.
    static func startWatch(_ id: String, of synced: SyncedReplica, in folder: URL) async throws
        -> (process: Process, output: URL, errors: URL)
    {
        let output = folder.appendingPathComponent("watch.out")
        let errors = folder.appendingPathComponent("watch.err")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = try Convosync.start(
            ["watch"] + synced.accountArguments + [id, "--interval", "1"], environment: synced.environment,
            standardOutput: output, standardError: errors)
        do {
            try await waitFor("the watch to start", in: errors, process: process) { $0.contains("Watching") }
        } catch {
            if process.isRunning { process.terminate() }
            throw error
        }
        return (process, output, errors)
    }

    /// Waits (generously: the machine may be loaded) until `file` satisfies `condition`.
    static func waitFor(
        _ what: String, in file: URL, process: Process, timeout: Duration = .seconds(120), _ condition: (String) -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = try String(contentsOf: file, encoding: .utf8)
            if condition(text) { return }
            guard process.isRunning else {
                Issue.record("convosync watch ended (\(process.terminationStatus)) before \(what)")
                throw HarnessError("watch ended early")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("no \(what) within \(timeout)")
        throw HarnessError("timed out waiting for \(what)")
    }
}

/// Every everyday command documents itself with an example.
@Suite("convosync everyday help")
struct EverydayHelpTests {
    @Test("every everyday command's --help shows an example", arguments: [
        "send", "rename", "delete", "restore", "new", "status", "retry", "discard", "gc", "watch",
    ])
    func helpHasExample(command: String) async throws {
        let result = try await Convosync.run([command, "--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("Example:"))
        #expect(result.output.contains("convosync \(command) "))
    }

    @Test("the write commands document exit 75 for a write left queued", arguments: ["send", "rename", "delete", "restore", "new", "retry"])
    func helpDocumentsQueued(command: String) async throws {
        let result = try await Convosync.run([command, "--help"])
        #expect(result.output.contains("75"))
        #expect(result.output.contains("queued"))
    }
}
