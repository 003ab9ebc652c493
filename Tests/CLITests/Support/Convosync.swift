import Foundation
import Testing
import TestSupport

/// Runs the built `convosync` binary as a child process, the way people and scripts do.
enum Convosync {
    /// What one run printed and how it ended.
    struct Result {
        let status: Int32
        let standardOutput: Data
        let standardError: String

        var output: String { String(decoding: standardOutput, as: UTF8.self) }
    }

    /// The binary `swift build` put next to the test bundle.
    static var executable: URL {
        Bundle.main.bundleURL.appendingPathComponent("convosync")
    }

    /// Starts `convosync arguments…` with its output discarded (standard output and error go
    /// to `standardOutput` and `standardError` when given) and returns the running process,
    /// for tests that signal or kill it.
    static func start(
        _ arguments: [String], environment: [String: String] = [:], standardOutput: URL? = nil, standardError: URL? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["NO_COLOR"] = "1"
        processEnvironment.merge(environment) { _, new in new }
        process.environment = processEnvironment
        process.standardOutput = try standardOutput.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
        process.standardError = try standardError.map { try FileHandle(forWritingTo: $0) } ?? FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try ChildProcess.launch(process)
        return process
    }

    /// Waits for a started process without blocking a thread the tests share.
    static func waitForExit(_ process: Process, timeout: Duration = .seconds(120)) async throws {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("convosync did not finish within \(timeout)")
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
    }

    /// Runs `convosync arguments…`, feeding `input` on standard input, and waits for it,
    /// killing it after `timeout` so a hang fails the test instead of stalling the suite.
    ///
    /// With `fileSizeLimit` (in the shell's `ulimit -f` blocks) the binary runs under that
    /// limit with SIGXFSZ ignored, so a write past it fails the way a full disk does.
    static func run(
        _ arguments: [String], input: Data? = nil, environment: [String: String] = [:],
        timeout: Duration = .seconds(120), fileSizeLimit: Int? = nil
    ) async throws -> Result {
        let process = Process()
        if let fileSizeLimit {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -f \(fileSizeLimit) && trap '' XFSZ && exec \"$0\" \"$@\"", executable.path] + arguments
        } else {
            process.executableURL = executable
            process.arguments = arguments
        }
        var processEnvironment = ProcessInfo.processInfo.environment
        processEnvironment["NO_COLOR"] = "1"
        processEnvironment.merge(environment) { _, new in new }
        process.environment = processEnvironment

        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("convosync-out-\(UUID().uuidString)")
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("convosync-err-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: outputFile.path, contents: nil)
        FileManager.default.createFile(atPath: errorFile.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputFile)
            try? FileManager.default.removeItem(at: errorFile)
        }
        let outputHandle = try FileHandle(forWritingTo: outputFile)
        let errorHandle = try FileHandle(forWritingTo: errorFile)
        process.standardOutput = outputHandle
        process.standardError = errorHandle
        let inputPipe = Pipe()
        process.standardInput = inputPipe

        try ChildProcess.launch(process)
        if let input {
            try inputPipe.fileHandleForWriting.write(contentsOf: input)
        }
        try inputPipe.fileHandleForWriting.close()

        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("convosync \(arguments.first ?? "") did not finish within \(timeout)")
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        try outputHandle.close()
        try errorHandle.close()
        return Result(
            status: process.terminationStatus,
            standardOutput: try Data(contentsOf: outputFile),
            standardError: String(decoding: try Data(contentsOf: errorFile), as: UTF8.self))
    }
}
