import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import EmulatorSupport
import Foundation
import Synchronization
import Testing
import TestSupport

@testable import ConvoSync

/// Exactly once without help from the platform, against the emulator's default (strict)
/// platform, which keeps no replay record of a cut reply stream: a message that may have
/// reached the remote is read for before it is sent again, and two pushers on one replica
/// never push the same op.
@Suite("Outbox exactly once on a strict remote")
struct OutboxExactlyOnceTests {
    typealias P = OutboxPusherTests

    /// How many user turns of the remote conversation hold `text`.
    static func remoteCount(of text: String, in id: String, _ emulator: RunningEmulator) async throws -> Int {
        let turns = try await P.truthRecord(emulator, id)?["turns"] as? [[String: Any]] ?? []
        return turns.filter { turn in
            turn["role"] as? String == "user"
                && (turn["fragments"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }.joined() == text
        }.count
    }

    @Test("a send cut before its reply began is found on the remote and adopted, never sent twice",
          arguments: OutboxPusherTests.writingDialects)
    func cutBeforeTheReplyIsAdopted(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            #expect(!emulator.emulator.configuration.replayCutStreams)
            try await P.withReplica(dialect, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Cut"), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let text = "Reached the remote, the answer did not"
                    let sent = try await replica.enqueue(
                        .sendMessage(text: text), in: .remote(conversation.id), idempotencyKey: "send-cut-early", at: Date())
                    // The request reaches the remote, which stores the message; the answer is
                    // cut before its first event (a stream) or halfway (a whole reply).
                    var faults = FaultConfiguration()
                    faults.cutStreamAfterEvents = 0
                    faults.cutBodyRate = 1
                    emulator.emulator.faults.update(faults)
                    let cut = await P.pusher(replica, api).pushPending()
                    guard case .retryLater = cut.next else {
                        Issue.record("a cut answer must ask for a retry, got \(cut.next)")
                        return
                    }
                    let waiting = try #require(try await replica.pendingOutbox().first)
                    #expect(waiting.deliveredAt == nil, "no event arrived")
                    #expect(try await Self.remoteCount(of: text, in: conversation.id, emulator) == 1)

                    emulator.emulator.faults.update(FaultConfiguration())
                    #expect(await P.pusher(replica, api).pushPending() == PushOutcome(pushed: 1, failed: 0, next: .idle))
                    #expect(try await Self.remoteCount(of: text, in: conversation.id, emulator) == 1, "sent once")
                    let detail = try #require(try await replica.conversation(id: conversation.id))
                    #expect(detail.turnLocalIDs.first == sent.turnLocalID, "the local turn adopted the remote one")
                    try await P.expectReplicaEqualsRemote(detail, api, conversation.id)
                }
            }
        }
    }

    @Test("an attempted send that never reached the remote is sent after the read finds nothing, once")
    func attemptThatNeverArrivedIsSent() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await P.withReplica(.agentflow, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0]), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let text = "Lost on the way"
                    try await replica.enqueue(
                        .sendMessage(text: text), in: .remote(conversation.id), idempotencyKey: "send-lost", at: Date())
                    var account = try EmulatorHarness.account(.agentflow, on: emulator)
                    account.baseURL = try #require(URL(string: "http://127.0.0.1:1/agentflow/v1"))
                    var configuration = RemoteConfiguration()
                    configuration.timeouts.connect = .milliseconds(500)
                    let nowhere = RemoteAPIFactory.make(account: account, configuration: configuration, logger: EmulatorHarness.logger)
                    let lost = await P.pusher(replica, nowhere.api).pushPending()
                    try await nowhere.shutdown()
                    #expect(lost.next == .retryLater(after: nil))
                    let inspector = OutboxClaimOwner()
                    let claimed = try #require(try await replica.claimOutboxOp(for: inspector, lasting: .seconds(60)))
                    #expect(claimed.attemptedAt != nil, "the attempt was recorded before the request left")
                    #expect(await P.pusher(replica, api).pushPending() == PushOutcome(pushed: 0, failed: 0, next: .idle),
                            "an op another pusher holds is left to it")
                    try await replica.releaseOutboxClaim(claimed.op.id, for: inspector)
                    #expect(try await Self.remoteCount(of: text, in: conversation.id, emulator) == 0)

                    #expect(await P.pusher(replica, api).pushPending() == PushOutcome(pushed: 1, failed: 0, next: .idle))
                    #expect(try await Self.remoteCount(of: text, in: conversation.id, emulator) == 1)
                    let detail = try #require(try await replica.conversation(id: conversation.id))
                    try await P.expectReplicaEqualsRemote(detail, api, conversation.id)
                }
            }
        }
    }

    /// The real adapter, counting the sends each idempotency key went out with.
    final class CountingAPI: RemoteAPI {
        let base: any RemoteAPI
        private let counts = Mutex<[String: Int]>([:])

        init(base: any RemoteAPI) { self.base = base }

        /// Sends per key.
        var sends: [String: Int] { counts.withLock { $0 } }

        private func count(_ key: IdempotencyKey) { counts.withLock { $0[key.rawValue, default: 0] += 1 } }

        var capabilities: RemoteCapabilities { base.capabilities }
        func rememberOwners(_ owners: [String: String]) { base.rememberOwners(owners) }
        func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
            -> RemotePage<ConversationSnapshot>
        { try await base.conversations(from: position, pageSize: pageSize, filter: filter) }
        func conversation(id: String) async throws -> ConversationSnapshot { try await base.conversation(id: id) }
        func turns(of conversationID: String, from position: PagingPosition, pageSize: Int) async throws -> RemotePage<Turn> {
            try await base.turns(of: conversationID, from: position, pageSize: pageSize)
        }
        func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey) async throws
            -> SentMessage
        {
            count(idempotencyKey)
            return try await base.sendMessage(content, to: conversationID, idempotencyKey: idempotencyKey)
        }
        func streamReply(to content: String, in conversationID: String, idempotencyKey: IdempotencyKey) async throws
            -> any AsyncSequence<ReplyEvent, any Error> & Sendable
        {
            count(idempotencyKey)
            return try await base.streamReply(to: content, in: conversationID, idempotencyKey: idempotencyKey)
        }
    }

    @Test("two engines on one replica file push at the same time: each op goes out once, from one of them")
    func twoEnginesShareTheOutbox() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1, configure: { $0.deltaInterval = .milliseconds(2) }) {
            emulator in
            try await withTemporaryDirectory { folder in
                let account = try EmulatorHarness.account(.agentflow, on: emulator)
                let binding = AccountBinding(baseURL: account.baseURL.absoluteString, tenant: account.tenant, dialect: .agentflow)
                let path = folder.appendingPathComponent("shared.convosync").path
                let daemonReplica = try Replica.open(at: path, account: binding)
                let commandReplica = try Replica.open(at: path, account: binding)
                try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                    var ids: [String] = []
                    for index in 0..<3 {
                        let conversation = try await api.createConversation(
                            ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Shared \(index)"),
                            idempotencyKey: .random())
                        try await daemonReplica.upsertConversations([conversation], pass: nil, syncState: nil)
                        ids.append(conversation.id)
                    }
                    var texts: [(String, String)] = []
                    for round in 0..<4 {
                        for id in ids {
                            let text = "Note \(round) for \(id)"
                            try await commandReplica.enqueue(
                                .sendMessage(text: text), in: .remote(id), idempotencyKey: "shared-\(round)-\(id)", at: Date())
                            texts.append((id, text))
                        }
                    }
                    let counting = CountingAPI(base: api)
                    let daemon = SyncEngine(replica: daemonReplica, api: counting)
                    let command = SyncEngine(replica: commandReplica, api: counting)
                    async let daemonPushed = daemon.push()
                    async let commandPushed = command.push()
                    let (first, second) = try await (daemonPushed, commandPushed)
                    #expect(first.failed == 0 && second.failed == 0)
                    #expect(first.pushed + second.pushed == texts.count, "each op completed by exactly one engine")
                    #expect(first.pushed > 0 && second.pushed > 0, "both engines pushed: the two shared the work")
                    #expect(counting.sends.count == texts.count)
                    #expect(counting.sends.values.allSatisfy { $0 == 1 }, "a key went out twice: \(counting.sends)")
                    #expect(try await daemonReplica.pendingOutbox().isEmpty)
                    for (id, text) in texts {
                        #expect(try await Self.remoteCount(of: text, in: id, emulator) == 1, "\(text)")
                    }
                    for id in ids {
                        let detail = try #require(try await commandReplica.conversation(id: id))
                        try await P.expectReplicaEqualsRemote(detail, api, id)
                    }
                }
                try daemonReplica.close()
                try commandReplica.close()
            }
        }
    }
}
