import Foundation
import Testing
import TestSupport

/// Every numeric option of every command has a range; a value past it is a usage error (64)
/// with a sentence naming the option, never a trap. Validation runs before any replica or
/// remote is touched, so the replica named need not exist.
// One case at a time: each holds an emulator, replicas and child processes, and the test
// process as a whole must stay under 1,024 open descriptors (Foundation's process and socket
// monitoring on Linux uses select(), which past that corrupts memory).
@Suite("Numeric options are range-checked", .serialized)
struct NumericOptionRangeTests {
    /// One command line with an out-of-range value, and the option its message must name.
    struct Case: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var names: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let huge = "9223372036854775807"
    static let pastInt = "99999999999999999999"
    static let db = ["--db", "/nonexistent-folder/r.convosync"]
    static let remote = ["--remote", "http://127.0.0.1:9/agentflow/v1", "--dialect", "agentflow"]

    static let cases: [Case] = {
        var cases: [Case] = []
        for value in [huge, "-1", "1001", pastInt] {
            cases.append(Case(arguments: ["frames"] + db + remote + ["conv_1", "report", "--limit", value], names: "--limit"))
        }
        for value in [huge, "-1", pastInt] {
            cases.append(Case(arguments: ["frames"] + db + remote + ["conv_1", "report", "--offset", value], names: "--offset"))
        }
        for value in [huge, "0", "-1", pastInt] {
            cases.append(Case(arguments: ["list"] + db + ["--limit", value], names: "--limit"))
            cases.append(Case(arguments: ["search"] + db + ["--limit", value, "renewal"], names: "--limit"))
            cases.append(Case(arguments: ["watch"] + db + remote + ["conv_1", "--interval", value], names: "--interval"))
            cases.append(Case(arguments: ["daemon", "--interval", value], names: "--interval"))
            cases.append(Case(arguments: ["demo", "--conversations", value], names: "--conversations"))
        }
        for value in [huge, "-1", "36501", pastInt] {
            cases.append(Case(arguments: ["gc"] + db + ["--older-than", value], names: "--older-than"))
        }
        for value in ["0", "-5", pastInt] {
            cases.append(Case(arguments: ["discard"] + db + ["--", value], names: "op"))
        }
        return cases
    }()

    @Test("a value past the option's range exits 64 with a sentence naming it", arguments: cases)
    func outOfRange(_ example: Case) async throws {
        try await withTemporaryDirectory { folder in
            let environment = SyncSetup(folder: folder).baseEnvironment
            let result = try await Convosync.run(example.arguments, environment: environment, timeout: .seconds(60))
            #expect(result.status == 64, "\(result.standardError)")
            #expect(result.standardError.contains(example.names), "\(result.standardError)")
            #expect(!result.standardError.contains("Fatal error"))
        }
    }

    @Test("the largest value each option takes is accepted by the option check")
    func edgesAccepted() async throws {
        try await withTemporaryDirectory { folder in
            let environment = SyncSetup(folder: folder).baseEnvironment
            // Past validation, these fail for want of a replica (66) or a remote, never as usage errors.
            for arguments in [
                ["gc"] + Self.db + ["--older-than", "36500"],
                ["list"] + Self.db + ["--limit", "1"],
                ["frames"] + Self.db + ["--offline"] + Self.remote + ["conv_1", "report", "--offset", "1000000", "--limit", "1000"],
            ] {
                let result = try await Convosync.run(arguments, environment: environment, timeout: .seconds(60))
                #expect(result.status != 64, "\(arguments): \(result.standardError)")
                #expect(result.status != 70 && result.status < 128, "\(arguments): \(result.standardError)")
            }
        }
    }
}
