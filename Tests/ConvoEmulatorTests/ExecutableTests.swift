import AsyncHTTPClient
import ConvoEmulator
import Foundation
import TestSupport
import Testing

@Suite("convosync-emulator executable")
struct ExecutableTests {
    /// The executable built next to the test bundle.
    static func binary() throws -> URL {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("convosync-emulator")
        try #require(FileManager.default.isExecutableFile(atPath: url.path), "build the convosync-emulator product first")
        return url
    }

    /// Runs the executable with `arguments`, stdout and stderr into files in `folder`.
    static func launch(_ arguments: [String], in folder: URL) throws -> (Process, URL, URL) {
        let output = folder.appendingPathComponent("stdout")
        let errors = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        let process = Process()
        process.executableURL = try binary()
        process.arguments = arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try ChildProcess.launch(process)
        return (process, output, errors)
    }

    /// Waits (polling) until the output holds `marker` or the process ends.
    static func output(of process: Process, at url: URL, until marker: String) async throws -> String {
        while true {
            let text = String(decoding: (try? Data(contentsOf: url)) ?? Data(), as: UTF8.self)
            if text.contains(marker) || !process.isRunning { return text }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func waitForExit(_ process: Process) async throws {
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    }

    @Test("it prints one line per dialect, the agent ids and ready, serves, and exits 0 on SIGTERM")
    func readyLinesAndGracefulExit() async throws {
        try await withTemporaryDirectory { folder in
            let (process, output, _) = try Self.launch(["--port", "0", "--conversations", "5"], in: folder)
            let text = try await Self.output(of: process, at: output, until: "ready\n")
            let lines = text.split(separator: "\n").map(String.init)
            #expect(lines.count == 8)
            #expect(lines.last == "ready")
            #expect(lines.prefix(4).map { $0.split(separator: " ").first.map(String.init) } == ["agentflow", "v2", "knowrithm", "turns"])
            #expect(lines[1].hasSuffix("/v2/tenants/acme/api/v2"))
            #expect(lines[4...6].allSatisfy { $0.hasPrefix("agent agent_") })
            let base = try #require(lines[0].split(separator: " ").last.map(String.init))
            #expect(base.hasPrefix("http://127.0.0.1:"))
            var request = HTTPClientRequest(url: base + "/agents")
            request.headers.add(name: "Authorization", value: "Bearer dev-key")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            _ = try await response.body.collect(upTo: 1 << 20)
            process.terminate()
            try await Self.waitForExit(process)
            #expect(process.terminationReason == .exit)
            #expect(process.terminationStatus == 0)
        }
    }

    @Test("--json prints one JSON object with the base URLs and agents")
    func jsonBanner() async throws {
        try await withTemporaryDirectory { folder in
            let (process, output, _) = try Self.launch(["--port", "0", "--json", "--tenant", "initech"], in: folder)
            let text = try await Self.output(of: process, at: output, until: "}\n")
            process.terminate()
            try await Self.waitForExit(process)
            let json = try JSON.parse(Data(text.utf8))
            #expect(json["ready"] == true)
            #expect(json["tenant"] == "initech")
            #expect(json["dialects"]?["v2"]?.stringValue?.hasSuffix("/v2/tenants/initech/api/v2") == true)
            #expect(json["agents"]?.arrayValue?.count == 3)
        }
    }

    @Test("an invalid flag exits 64 with a usage error")
    func invalidFlag() async throws {
        try await withTemporaryDirectory { folder in
            let (process, _, errors) = try Self.launch(["--port", "70000"], in: folder)
            try await Self.waitForExit(process)
            #expect(process.terminationStatus == 64)
            let text = String(decoding: try Data(contentsOf: errors), as: UTF8.self)
            #expect(text.contains("--port must be within 0...65535"))
        }
    }
}
