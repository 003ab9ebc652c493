import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import EmulatorSupport
import Foundation
import Testing
import TestSupport

/// The README's library example, run as written against the emulator: the lines between the
/// markers below are the README's code block (after its imports, `path` and `account`), and a
/// test checks they match.
@Suite("README")
struct ReadmeExampleTests {
    @Test("the library example syncs, searches, sends offline-first and sees the reply arrive")
    func libraryExampleRuns() async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 2) { emulator in
                let path = folder.appendingPathComponent("work.convosync").path
                let account = try EmulatorHarness.account(.agentflow, on: emulator)
                var sentTo: String?
                try await {
                    // README-EXAMPLE-BEGIN
                    let session = try await SyncSession.open(replicaAt: path, account: account)

                    // Pull once: afterwards the replica holds what the remote serves.
                    let report = try await session.engine.sync()
                    print("\(report.pull.listed) conversations listed, \(report.pull.read) read")

                    // Query and search with no network at all.
                    let page = try await session.replica.conversations(ConversationQuery(limit: 20))
                    let hits = try await session.replica.search("renewal", limit: 5)
                    print(hits.map(\.snippet))
                    let inOne = ConversationFilters(conversationID: hits.first?.conversationID)   // or agentID:, updatedAfter:, ...
                    print(try await session.replica.search("renewal", filters: inOne).count)

                    // Write offline-first: shown at once, pushed with an idempotency key, never lost.
                    guard let id = page.items.first?.remoteID else { return }
                    try await session.engine.send("Summarise this thread", to: .remote(id))

                    // Keep the replica in step in the background and watch the reply land.
                    let running = Task { await session.engine.run() }
                    for try await detail in session.replica.observeConversation(id: id) {
                        guard let last = detail?.turns.last else { continue }
                        print(last.role, last.text)   // the message, then the agent's reply
                        if last.role == .assistant, !last.id.isEmpty { break }   // confirmed by the remote
                    }
                    running.cancel()
                    await running.value
                    try await session.close()
                    // README-EXAMPLE-END
                    sentTo = id
                }()
                let id = try #require(sentTo)
                let truth = try await EmulatorHarness.comparison(try Replica.openExisting(at: path), dialect: .agentflow, on: emulator)
                #expect(truth.replica == truth.remote)
                let conversation = try #require(truth.remote.first { $0.id == id })
                #expect(conversation.turns.filter { $0.text == "Summarise this thread" }.count == 1)
                #expect(conversation.turns.last?.role == "assistant")
            }
        }
    }

    @Test("the README's code block is the example this suite runs")
    func readmeMatchesExample() throws {
        let readme = String(decoding: try Data(contentsOf: Fixtures.repositoryRoot.appendingPathComponent("README.md")), as: UTF8.self)
        let afterHeading = try #require(readme.range(of: "## The library")).upperBound
        let blockStart = try #require(readme.range(of: "```swift\n", range: afterHeading..<readme.endIndex)).upperBound
        let blockEnd = try #require(readme.range(of: "```", range: blockStart..<readme.endIndex)).lowerBound
        let documented = readme[blockStart..<blockEnd].split(separator: "\n", omittingEmptySubsequences: false)
            .drop { $0.hasPrefix("import ") || $0.isEmpty || $0.hasPrefix("let path = ") || $0.hasPrefix("let account = ") }
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
