import EmulatorSupport
import ConvoEmulator
import ConvoModel
import ConvoRemote
import Foundation
import Testing

/// Each adapter pages through a seeded tenant on the emulator and must see exactly what
/// the emulator holds: nothing missing, nothing twice, the fields mapped faithfully.
@Suite("Adapters against the emulator: listings")
struct ListingContractTests {
    /// Every conversation a full listing pass returns, across agents for per-agent dialects.
    private func listAll(_ api: any RemoteAPI, dialect: Dialect, agents: [String], pageSize: Int) async throws
        -> [ConversationSnapshot]
    {
        let scopes: [String?] = api.capabilities.listsPerAgent ? agents.map { $0 } : [nil]
        var all: [ConversationSnapshot] = []
        for agent in scopes {
            var position = PagingPosition.start
            var pages = 0
            while true {
                let page = try await api.conversations(from: position, pageSize: pageSize, filter: ConversationFilter(agentID: agent))
                all += page.items
                pages += 1
                guard let next = page.next, pages < 1000 else { break }
                position = next
            }
        }
        return all
    }

    @Test("a full pass sees every visible conversation exactly once", arguments: Dialect.allCases)
    func fullPassSeesEverything(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 73) { emulator in
            try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                let listed = try await listAll(api, dialect: dialect, agents: emulator.addresses.agentIDs, pageSize: 10)
                // Offset pages overlap by one item (DESIGN, "Sync"): dedupe by id, as the engine does.
                var unique: [String: ConversationSnapshot] = [:]
                for snapshot in listed { unique[snapshot.conversation.id] = snapshot }
                let truth = try await EmulatorHarness.truth(emulator)
                let visible = truth.filter { $0["deleted_at"] is NSNull }
                #expect(Set(unique.keys) == Set(visible.compactMap { $0["id"] as? String }))
                if dialect != .turns {
                    #expect(listed.count == unique.count, "cursor and page paging return each conversation once")
                }
                for record in visible {
                    guard let id = record["id"] as? String, let snapshot = unique[id] else { continue }
                    #expect(snapshot.conversation.agentID == nil || snapshot.conversation.agentID == record["agent_id"] as? String)
                    if dialect != .turns {
                        #expect(snapshot.conversation.title == record["title"] as? String, "title of \(id)")
                    }
                }
            }
        }
    }

    @Test("a conversation's turns come back with the emulator's roles and text", arguments: Dialect.allCases)
    func turnsMatchTruth(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 12, turns: 6) { emulator in
            try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                let truth = try await EmulatorHarness.truth(emulator).filter { $0["deleted_at"] is NSNull }
                let listed = try await listAll(api, dialect: dialect, agents: emulator.addresses.agentIDs, pageSize: 100)
                for record in truth.prefix(5) {
                    let id = try #require(record["id"] as? String)
                    let expected = try #require(record["turns"] as? [[String: Any]])
                        .filter { dialect == .knowrithm || $0["deleted_at"] is NSNull }
                    let turns: [Turn]
                    if let inline = listed.first(where: { $0.conversation.id == id })?.turns {
                        turns = inline
                    } else if api.capabilities.pagedTurns {
                        var all: [Turn] = []
                        var position = PagingPosition.start
                        while true {
                            let page = try await api.turns(of: id, from: position, pageSize: 50)
                            all += page.items
                            guard let next = page.next else { break }
                            position = next
                        }
                        turns = all
                    } else {
                        turns = try #require(try await api.conversation(id: id).turns)
                    }
                    #expect(turns.map(\.id) == expected.compactMap { $0["id"] as? String }, "turn ids of \(id)")
                    #expect(turns.map(\.role.rawValue) == expected.compactMap { $0["role"] as? String })
                    // Flat dialects carry a turn's fragments as one `content`, joined by a blank
                    // line (how the emulator flattens them); `turns` keeps the fragments.
                    let separator = dialect == .turns ? "" : "\n\n"
                    let expectedText = expected.map { turn in
                        (turn["fragments"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
                            .joined(separator: separator)
                    }
                    #expect(turns.map(\.text) == expectedText, "text of \(id)")
                }
            }
        }
    }
}
