import ConvoModel
import ConvoStore
import Foundation
import Testing
import TestSupport

/// The README's library example, run as written: the lines between the markers below are
/// the README's code block (after its imports and its `path`), and a test checks they match.
@Suite("README")
struct ReadmeExampleTests {
    @Test("the library example runs and finds what it wrote")
    func libraryExampleRuns() async throws {
        try await withTemporaryDirectory { folder in
            let path = folder.appendingPathComponent("work.convosync").path
            // README-EXAMPLE-BEGIN
            let account = AccountBinding(baseURL: "https://api.example.com/v1", dialect: .agentflow)
            let replica = try Replica.open(at: path, account: account)   // created 0600, WAL

            // What the sync engine writes: a page of conversations, then one conversation's turns.
            try await replica.upsertConversations([Conversation(id: "conv_1", title: "Q3 pipeline")], pass: nil, syncState: nil)
            try await replica.replaceTurns(
                conversationID: "conv_1",
                turns: [Turn(id: "msg_1", role: .user, state: .done, fragments: [Fragment(content: "What does Q3 look like?")])],
                syncState: nil)

            // What an app reads, with no network.
            let page = try await replica.conversations(ConversationQuery(limit: 20))
            let hits = try await replica.search("pipeline", limit: 10)
            for try await detail in replica.observeConversation(id: "conv_1") {
                print(detail?.summary.title ?? "gone")   // now, and after every committed change
                break
            }
            // README-EXAMPLE-END
            #expect(page.total == 1)
            #expect(hits.map(\.conversationID) == ["conv_1"])
        }
    }

    @Test("the README's code block is the example this suite runs")
    func readmeMatchesExample() throws {
        let readme = String(decoding: try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md")), as: UTF8.self)
        let afterHeading = try #require(readme.range(of: "## The library")).upperBound
        let blockStart = try #require(readme.range(of: "```swift\n", range: afterHeading..<readme.endIndex)).upperBound
        let blockEnd = try #require(readme.range(of: "```", range: blockStart..<readme.endIndex)).lowerBound
        let documented = readme[blockStart..<blockEnd].split(separator: "\n", omittingEmptySubsequences: false)
            .drop { $0.hasPrefix("import ") || $0.isEmpty || $0.hasPrefix("let path = ") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }

        let source = String(decoding: try Data(contentsOf: URL(fileURLWithPath: #filePath)), as: UTF8.self)
        let start = try #require(source.range(of: "// README-EXAMPLE-" + "BEGIN\n")).upperBound
        let end = try #require(source.range(of: "// README-EXAMPLE-" + "END")).lowerBound
        let tested = source[start..<end].split(separator: "\n")
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        #expect(documented == tested)
    }
}
