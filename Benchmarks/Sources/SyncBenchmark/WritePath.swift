import ConvoModel
import ConvoRemote
import ConvoStore
import ConvoSync
import Foundation
import Logging
import StoreReferences

/// Reference (b'): the rows of a first sync written through the engine's own write call,
/// `Replica.applyListingPage`, one listing page per transaction, into a fresh replica.
///
/// Reference (b), the JSONL import, also decodes each line with `JSONDecoder` and does the
/// import's idempotency work, so it costs more than what the engine writes; (b') is the floor
/// of the sync's write side. Pages and turns are fetched and decoded through the adapter
/// beforehand (untimed, held in memory); only the writes are timed.
///
/// The same rows then go into the lean reference (plain tables and FTS5 through the C API,
/// one transaction, a fresh file beside the replica): the limit any write path can approach
/// here, so the sync is also compared with max(fetch, lean write).
enum WritePath {
    static func run(_ dialect: Dialect, remote: Remote, replicaPath: String, logger: Logger) async throws {
        let account = try remote.account(dialect)
        let pageSize = SyncConfiguration().pageSize
        let connection = RemoteAPIFactory.make(account: account, logger: logger)
        let api = connection.api
        var pages: [[ListedConversation]] = []
        func listed(_ snapshots: [ConversationSnapshot]) async throws -> [ListedConversation] {
            var items: [ListedConversation] = []
            for snapshot in snapshots {
                if let turns = snapshot.turns {
                    items.append(ListedConversation(conversation: snapshot.conversation, turns: .replace(turns), changeToken: nil))
                } else if !api.capabilities.pagedTurns {
                    let fresh = try await api.conversation(id: snapshot.conversation.id)
                    items.append(ListedConversation(conversation: fresh.conversation, turns: .replace(fresh.turns ?? []), changeToken: nil))
                } else {
                    var turns: [Turn] = []
                    var position = PagingPosition.start
                    while true {
                        let page = try await api.turns(of: snapshot.conversation.id, from: position, pageSize: pageSize)
                        turns += page.items
                        guard let next = page.next, !page.items.isEmpty, next != position else { break }
                        position = next
                    }
                    items.append(ListedConversation(conversation: snapshot.conversation, turns: .replace(turns), changeToken: nil))
                }
            }
            return items
        }
        let scopes: [String?] = api.capabilities.listsPerAgent ? account.agentIDs : [nil]
        for agent in scopes {
            var position = PagingPosition.start
            while true {
                let page = try await api.conversations(from: position, pageSize: pageSize, filter: ConversationFilter(agentID: agent))
                pages.append(try await listed(page.items))
                guard let next = page.next, !page.items.isEmpty else { break }
                position = next
            }
        }
        if api.capabilities.deletedListing {
            var position = PagingPosition.start
            while true {
                let page = try await api.deletedConversations(from: position, pageSize: pageSize)
                pages.append(try await listed(page.items.map { ConversationSnapshot(conversation: $0, turns: nil) }))
                guard let next = page.next, !page.items.isEmpty, next != position else { break }
                position = next
            }
        }
        try await connection.shutdown()

        let replica = try Replica.open(at: replicaPath, account: try remote.binding(dialect))
        let cpu = CPUSpan(serverPID: nil)
        let (_, seconds) = try await Measure.timed {
            for page in pages { try await replica.applyListingPage(page, pass: 1, syncState: nil) }
        }
        cpu.report("write")
        try replica.close()
        let leanPath = replicaPath + ".lean"
        let lean = try RawInsert(path: leanPath, schemaSQL: RawInsert.leanSchema)
        let rows: [(Conversation, [Turn])] = pages.joined().map { item in
            if case .replace(let turns) = item.turns { (item.conversation, turns) } else { (item.conversation, []) }
        }
        let (_, leanSeconds) = try await Measure.timed { try lean.insert(rows, indexing: RawInsert.leanIndexing) }
        lean.close()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: leanPath + suffix) }
        Measure.report("write.lean_seconds", leanSeconds, "s")
        let counts = try ReplicaCounts(path: replicaPath)
        let fragments = try counts.count("SELECT count(*) FROM fragment")
        counts.close()
        Measure.report("write.seconds", seconds, "s")
        Measure.report("write.fragments_per_s", Double(fragments) / seconds, "fragments/s")
        Measure.report("write.fragments", Double(fragments), "fragments")
    }
}
