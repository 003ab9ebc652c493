import Foundation
import TestSupport

/// The four dialects, spelled as their contract files are named.
let dialects = ["agentflow", "v2", "knowrithm", "turns"]

/// `Fixtures/wire/<dialect>/index.json`: every recorded body with the operation it answers.
struct WireFixtureIndex: Decodable {
    struct Entry: Decodable, CustomStringConvertible {
        /// The file, relative to the dialect's folder (`broken/…` for invalid ones).
        var file: String
        /// `METHOD /path/template`, or nil for a path the contract does not declare.
        var operation: String?
        var method: String
        /// The concrete path, relative to the base URL.
        var path: String
        /// The request's raw query string, when it had one.
        var query: String?
        var status: Int
        var contentType: String
        var valid: Bool
        /// For an invalid fixture: the JSON pointer of a violation it must produce.
        var violationAt: String?

        var description: String { file }
    }

    var dialect: String
    var fixtures: [Entry]

    static func load(_ dialect: String) throws -> WireFixtureIndex {
        try JSONDecoder().decode(WireFixtureIndex.self, from: Fixtures.data("wire/\(dialect)/index.json"))
    }

    /// Every entry of every dialect, for parameterized tests.
    static func allEntries() throws -> [(dialect: String, entry: Entry)] {
        try dialects.flatMap { dialect in try load(dialect).fixtures.map { (dialect, $0) } }
    }

    /// Validates the recorded response an entry describes.
    static func violations(of entry: Entry, in contract: OpenAPIContract, dialect: String) throws -> [ContractViolation] {
        let body = try Fixtures.data("wire/\(dialect)/\(entry.file)")
        return contract.validateResponse(
            method: entry.method, path: entry.path, status: entry.status,
            contentType: entry.contentType.isEmpty ? nil : entry.contentType, body: body)
    }
}
