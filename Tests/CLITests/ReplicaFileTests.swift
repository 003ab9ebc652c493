import Foundation
import Testing
import TestSupport

/// What the commands do with a missing, foreign or wrong replica file, and with usage errors.
@Suite("convosync replica files and exit codes")
struct ReplicaFileTests {
    @Test("a missing replica is named in one sentence and exits 66", arguments: ["list", "search", "export", "show"])
    func missingReplica(command: String) async throws {
        try await withTemporaryDirectory { folder in
            let db = folder.appendingPathComponent("absent.convosync").path
            var arguments = [command, "--db", db]
            if command == "search" || command == "show" { arguments.append("x") }
            let result = try await Convosync.run(arguments)
            #expect(result.status == 66)
            #expect(result.standardError.contains(db))
            #expect(result.standardError.split(separator: "\n").count == 1)
            #expect(!FileManager.default.fileExists(atPath: db), "reading must not create a replica")
        }
    }

    @Test("a file that is not a replica is refused with 65 and left byte for byte as it was")
    func foreignFileIsUntouched() async throws {
        try await withTemporaryDirectory { folder in
            for name in ["not-a-database.txt", "unrelated.sqlite"] {
                let copy = folder.appendingPathComponent(name)
                try FileManager.default.copyItem(at: Fixtures.url(name), to: copy)
                let before = try Data(contentsOf: copy)
                for arguments in [["list", "--db", copy.path], ["import", "--db", copy.path, Fixtures.url("sample.jsonl").path]] {
                    let result = try await Convosync.run(arguments)
                    #expect(result.status == 65, "\(name): \(result.standardError)")
                    #expect(result.standardError.contains("not a ConvoSync replica"))
                }
                #expect(try Data(contentsOf: copy) == before)
            }
        }
    }

    @Test("usage errors exit 64", arguments: [["list"], ["list", "--db"], ["search", "--db", "x.db"], ["list", "--db", "x", "--limit", "0"], ["nonsense"]])
    func usageErrors(arguments: [String]) async throws {
        let result = try await Convosync.run(arguments)
        #expect(result.status == 64)
    }

    @Test("every command, found through the tool's own help, has --help with an example")
    func everyCommandHasAnExample() async throws {
        var pending: [[String]] = [[]]
        var checked = 0
        while let command = pending.popLast() {
            let result = try await Convosync.run(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            let subcommands = Self.subcommands(in: result.output)
            if subcommands.isEmpty || !command.isEmpty {
                #expect(result.output.contains("Example:"), "convosync \(command.joined(separator: " ")) --help has no example")
                #expect(result.output.contains("convosync \(command.joined(separator: " "))"))
                checked += 1
            }
            pending += subcommands.filter { $0 != "help" }.map { command + [$0] }
        }
        #expect(checked >= 14)
    }

    /// The names listed under `SUBCOMMANDS:` in a help text.
    static func subcommands(in help: String) -> [String] {
        guard let section = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        return help[section.upperBound...].split(separator: "\n").prefix { !$0.hasPrefix("  See ") }.compactMap { line in
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
    }
}
