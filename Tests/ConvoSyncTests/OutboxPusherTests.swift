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

/// The outbox pushed to the real emulator over loopback, from a real replica file: each write
/// lands exactly once, the replica ends equal to the remote, and local keys never change.
@Suite("Outbox pusher against the emulator")
struct OutboxPusherTests {
    static let writingDialects: [Dialect] = [.agentflow, .v2, .knowrithm]

    /// A fresh replica bound to `dialect`'s account on `emulator`, in its own temp folder.
    static func withReplica<T>(
        _ dialect: Dialect, on emulator: RunningEmulator, _ body: (Replica) async throws -> T
    ) async throws -> T {
        let account = try EmulatorHarness.account(dialect, on: emulator)
        let binding = AccountBinding(baseURL: account.baseURL.absoluteString, tenant: account.tenant, dialect: dialect)
        return try await withTemporaryDirectory { folder in
            let replica = try Replica.open(at: folder.appendingPathComponent("outbox.convosync").path, account: binding)
            return try await body(replica)
        }
    }

    /// The events a pusher reported, in order.
    final class EventLog: Sendable {
        private let events = Mutex<[PushEvent]>([])
        func append(_ event: PushEvent) { events.withLock { $0.append(event) } }
        var all: [PushEvent] { events.withLock { $0 } }
    }

    static func pusher(_ replica: Replica, _ api: any RemoteAPI, events: EventLog = EventLog(),
                       batch: ReplyBatchPolicy = .init()) -> OutboxPusher {
        OutboxPusher(replica: replica, api: api, logger: EmulatorHarness.logger, replyBatch: batch) { event in
            events.append(event)
        }
    }

    /// The emulator's record of one conversation, or nil when it is gone.
    static func truthRecord(_ emulator: RunningEmulator, _ id: String) async throws -> [String: Any]? {
        try await EmulatorHarness.truth(emulator).first { $0["id"] as? String == id }
    }

    static func create(_ replica: Replica, agent: String, title: String = "Offline plan", key: String = "create-1")
        async throws -> EnqueuedWrite
    {
        try await replica.enqueue(
            .createConversation(agentID: agent, title: title, metadata: nil, maxContextLength: nil), in: nil,
            idempotencyKey: key, at: Date())
    }

    /// The replica's conversation must equal what the remote holds: same turn ids, roles and text.
    static func expectReplicaEqualsRemote(_ detail: ConversationDetail, _ api: any RemoteAPI, _ id: String) async throws {
        let remote = try await ConversationReader(api: api).read(id)
        #expect(detail.turns.map(\.id) == remote.turns.map(\.id))
        #expect(detail.turns.map(\.role) == remote.turns.map(\.role))
        #expect(detail.turns.map(\.text) == remote.turns.map(\.text))
        if let conversation = remote.conversation {
            #expect(detail.summary.title == conversation.title)
            #expect(detail.summary.deletedAt == conversation.deletedAt)
        }
    }

    @Test("create, send and what each dialect allows land once; the replica equals the remote; local keys stay",
          arguments: writingDialects)
    func writesLandOnce(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 3) { emulator in
            try await Self.withReplica(dialect, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                    let before = try await EmulatorHarness.truth(emulator).count
                    let created = try await Self.create(replica, agent: emulator.addresses.agentIDs[0])
                    let local = ConversationRef.local(created.conversationLocalID)
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "What does the Q3 pipeline look like?"), in: local, idempotencyKey: "send-1",
                        at: Date())
                    var expectedPushes = 2
                    switch dialect {
                    case .agentflow:
                        try await replica.enqueue(.rename(title: "Renamed offline"), in: local, idempotencyKey: "rename-1", at: Date())
                        try await replica.enqueue(
                            .generateTitle(seedMessage: "Q3 pipeline", force: true), in: local, idempotencyKey: "title-1",
                            at: Date())
                        expectedPushes += 2
                    case .knowrithm:
                        try await replica.enqueue(.deleteConversation, in: local, idempotencyKey: "delete-1", at: Date())
                        try await replica.enqueue(.restoreConversation, in: local, idempotencyKey: "restore-1", at: Date())
                        expectedPushes += 2
                    default:
                        break
                    }

                    let outcome = await Self.pusher(replica, api).pushPending()
                    #expect(outcome == PushOutcome(pushed: expectedPushes, failed: 0, next: .idle))
                    #expect(try await replica.pendingOutbox().isEmpty)

                    let detail = try #require(try await replica.conversation(.local(created.conversationLocalID)))
                    let remoteID = try #require(detail.summary.remoteID)
                    #expect(try await EmulatorHarness.truth(emulator).count == before + 1)
                    let record = try #require(try await Self.truthRecord(emulator, remoteID))
                    let turns = try #require(record["turns"] as? [[String: Any]])
                    #expect(turns.map { $0["role"] as? String } == ["user", "assistant"])
                    #expect(turns.map { $0["id"] as? String } == detail.turns.map(\.id))
                    #expect(record["deleted_at"] is NSNull)
                    if dialect == .agentflow {
                        #expect((record["title"] as? String).map { !$0.isEmpty && $0 != "Renamed offline" } == true,
                                "the generated title came after the rename")
                        #expect(detail.summary.title == record["title"] as? String)
                    } else {
                        #expect(record["title"] as? String == "Offline plan")
                    }
                    #expect(detail.turnLocalIDs.first == sent.turnLocalID)
                    // The remote's reply replaced the placeholder: its state is what the dialect says.
                    #expect(detail.turns.last?.state != .inProgress)
                    #expect(detail.turns.last?.text.isEmpty == false)
                    try await Self.expectReplicaEqualsRemote(detail, api, remoteID)
                }
            }
        }
    }

    @Test("a streamed reply is written in batches into its placeholder and lands done with the full text")
    func streamedReplyLandsDone() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.agentflow, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0]), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "Walk me through the renewal terms in detail"), in: .remote(conversation.id),
                        idempotencyKey: "send-stream", at: Date())
                    let events = EventLog()
                    let outcome = await Self.pusher(replica, api, events: events, batch: ReplyBatchPolicy(interval: .seconds(3600), maxBytes: 8))
                        .pushPending()
                    #expect(outcome.pushed == 1)
                    let detail = try #require(try await replica.conversation(id: conversation.id))
                    let reply = try #require(detail.turns.last)
                    #expect(reply.role == .assistant)
                    #expect(reply.state != .inProgress)
                    #expect(reply.fragments.allSatisfy { $0.state != .inProgress })
                    let replyTurn = try #require(detail.turnLocalIDs.last)
                    #expect(events.all.contains(.replyFinished(opID: sent.opID, turn: replyTurn, state: .done)),
                            "the placeholder ended done, and the remote's reply then took its place under its key")
                    #expect(detail.turnLocalIDs.first == sent.turnLocalID)
                    let progress = events.all.compactMap { event -> Int? in
                        if case .replyProgress(_, _, let characters) = event { return characters }
                        return nil
                    }
                    #expect(progress.count >= 1, "deltas reached the placeholder before the end")
                    #expect(progress == progress.sorted())
                    try await Self.expectReplicaEqualsRemote(detail, api, conversation.id)
                }
            }
        }
    }

    @Test("with the remote failing, ops stay pending and count attempts; once it recovers they land exactly once")
    func serverErrorsThenRecovery() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await Self.withReplica(.agentflow, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                    let before = try await EmulatorHarness.truth(emulator).count
                    let created = try await Self.create(replica, agent: emulator.addresses.agentIDs[0])
                    try await replica.enqueue(
                        .sendMessage(text: "Still there?"), in: .local(created.conversationLocalID), idempotencyKey: "send-1",
                        at: Date())
                    var faults = FaultConfiguration()
                    faults.serverErrorRate = 1
                    await emulator.emulator.faults.update(faults)

                    let pusher = Self.pusher(replica, api)
                    for attempt in 1...2 {
                        let outcome = await pusher.pushPending()
                        #expect(outcome.pushed == 0)
                        guard case .retryLater = outcome.next else {
                            Issue.record("a 503 must ask for a retry, got \(outcome.next)")
                            return
                        }
                        let ops = try await replica.pendingOutbox()
                        #expect(ops.map(\.state) == [.pending, .pending])
                        #expect(ops.map(\.attempts) == [attempt, 0])
                    }
                    #expect(try await EmulatorHarness.truth(emulator).count == before)

                    await emulator.emulator.faults.update(FaultConfiguration())
                    #expect(await pusher.pushPending() == PushOutcome(pushed: 2, failed: 0, next: .idle))
                    #expect(try await EmulatorHarness.truth(emulator).count == before + 1)
                    let detail = try #require(try await replica.conversation(.local(created.conversationLocalID)))
                    let remoteID = try #require(detail.summary.remoteID)
                    let record = try #require(try await Self.truthRecord(emulator, remoteID))
                    #expect((record["turns"] as? [[String: Any]])?.count == 2)
                }
            }
        }
    }

    @Test("with the remote unreachable (a closed port), ops stay pending with the attempt counted")
    func unreachableRemote() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.agentflow, on: emulator) { replica in
                var account = try EmulatorHarness.account(.agentflow, on: emulator)
                account.baseURL = try #require(URL(string: "http://127.0.0.1:1/agentflow/v1"))
                var configuration = RemoteConfiguration()
                configuration.timeouts.connect = .milliseconds(500)
                let connection = RemoteAPIFactory.make(
                    account: account, configuration: configuration, logger: EmulatorHarness.logger)
                let created = try await Self.create(replica, agent: emulator.addresses.agentIDs[0])
                let outcome = await Self.pusher(replica, connection.api).pushPending()
                try await connection.shutdown()
                #expect(outcome.pushed == 0)
                #expect(outcome.next == .retryLater(after: nil))
                let op = try #require(try await replica.pendingOutbox().first)
                #expect(op.id == created.opID)
                #expect(op.state == .pending)
                #expect(op.attempts == 1)
                #expect(op.lastError != nil)
            }
        }
    }

    @Test("an op whose write reached the remote before a crash is replayed, not repeated", arguments: writingDialects)
    func crashAfterWriteIsReplayed(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await Self.withReplica(dialect, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                    let before = try await EmulatorHarness.truth(emulator).count
                    let agent = emulator.addresses.agentIDs[0]
                    let created = try await Self.create(replica, agent: agent)
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "Only once, please"), in: .local(created.conversationLocalID),
                        idempotencyKey: "send-once", at: Date())
                    // The process sent both writes, then died before completing either op.
                    let first = try await api.createConversation(
                        ConversationDraft(agentID: agent, title: "Offline plan"),
                        idempotencyKey: try #require(IdempotencyKey("create-1")))
                    let sendKey = try #require(IdempotencyKey("send-once"))
                    for try await _ in try await api.streamReply(to: "Only once, please", in: first.id, idempotencyKey: sendKey) {}

                    #expect(await Self.pusher(replica, api).pushPending() == PushOutcome(pushed: 2, failed: 0, next: .idle))
                    #expect(try await EmulatorHarness.truth(emulator).count == before + 1)
                    let record = try #require(try await Self.truthRecord(emulator, first.id))
                    #expect((record["turns"] as? [[String: Any]])?.count == 2)
                    let detail = try #require(try await replica.conversation(.local(created.conversationLocalID)))
                    #expect(detail.summary.remoteID == first.id)
                    #expect(detail.turnLocalIDs.first == sent.turnLocalID)
                    try await Self.expectReplicaEqualsRemote(detail, api, first.id)
                }
            }
        }
    }

    @Test("a delete where the dialect deletes for good leaves the conversation purged in the replica",
          arguments: [Dialect.agentflow, .v2])
    func hardDeletePurges(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(dialect, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Short-lived"),
                        idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    try await replica.enqueue(.deleteConversation, in: .remote(conversation.id), idempotencyKey: "del", at: Date())
                    #expect(try await replica.conversation(id: conversation.id) == nil, "hidden at once")
                    #expect(await Self.pusher(replica, api).pushPending() == PushOutcome(pushed: 1, failed: 0, next: .idle))
                    #expect(try await Self.truthRecord(emulator, conversation.id) == nil)
                    #expect(try await replica.conversation(id: conversation.id, includeDeleted: true) == nil)
                    #expect(try await replica.conversations(ConversationQuery(filters: .init(includeDeleted: true))).total == 0)
                }
            }
        }
    }

    @Test("a write the dialect lacks fails for good with the reason, and nothing typed is lost")
    func unsupportedWriteFails() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.v2, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.v2, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Named"), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let rename = try await replica.enqueue(
                        .rename(title: "A title v2 cannot take"), in: .remote(conversation.id), idempotencyKey: "rename",
                        at: Date())
                    try await replica.enqueue(
                        .sendMessage(text: "This one goes through"), in: .remote(conversation.id), idempotencyKey: "send",
                        at: Date())
                    let outcome = await Self.pusher(replica, api).pushPending()
                    #expect(outcome == PushOutcome(pushed: 1, failed: 1, next: .idle))
                    let failed = try #require(try await replica.pendingOutbox().first)
                    #expect(failed.id == rename.opID)
                    #expect(failed.state == .failed)
                    #expect(failed.lastError?.contains("renameConversation") == true)
                    #expect(failed.write == .rename(title: "A title v2 cannot take"))
                    #expect(try await Self.truthRecord(emulator, conversation.id)?["title"] as? String == "Named")
                }
            }
        }
    }

    @Test("a create the remote refuses fails for good with the server's reason; the message behind it waits, kept")
    func refusedCreateKeepsTheMessage() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.agentflow, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                    let before = try await EmulatorHarness.truth(emulator).count
                    let created = try await Self.create(replica, agent: "agent_that_does_not_exist")
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "Words worth keeping"), in: .local(created.conversationLocalID),
                        idempotencyKey: "send-1", at: Date())
                    let outcome = await Self.pusher(replica, api).pushPending()
                    #expect(outcome == PushOutcome(pushed: 0, failed: 1, next: .idle))
                    #expect(try await EmulatorHarness.truth(emulator).count == before)
                    let ops = try await replica.pendingOutbox()
                    #expect(ops.map(\.state) == [.failed, .pending])
                    #expect(ops[0].lastError?.isEmpty == false)
                    #expect(ops[1].write == .sendMessage(text: "Words worth keeping"))
                    #expect(try await replica.outboxQueue().isEmpty, "blocked behind the failed create")
                    let detail = try #require(try await replica.conversation(.local(created.conversationLocalID)))
                    #expect(detail.turns.map(\.text) == ["Words worth keeping"])
                    let turnID = try #require(sent.turnLocalID)
                    #expect(detail.turnLocalIDs == [turnID])
                }
            }
        }
    }

    @Test("an upload pushed to v2 lands once, byte for byte, and the staged copy goes")
    func uploadLands() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.v2, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.v2, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Invoices"), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let bytes = Data((0..<3000).map { UInt8($0 % 253) })
                    let name = "../q3 \"report\"\n.csv"
                    try await replica.enqueue(
                        .uploadFile(name: name, contentType: "text/csv", bytes: bytes), in: .remote(conversation.id),
                        idempotencyKey: "upload-1", at: Date())
                    #expect(await Self.pusher(replica, api).pushPending() == PushOutcome(pushed: 1, failed: 0, next: .idle))
                    let files = try #require(try await Self.truthRecord(emulator, conversation.id)?["files"] as? [[String: Any]])
                    #expect(files.count == 1)
                    #expect(files.first?["name"] as? String == name)
                    #expect(files.first?["size"] as? Int == bytes.count)
                    let staging = replica.folder.appendingPathComponent("outbox.convosync.outbox").path
                    #expect(try FileManager.default.contentsOfDirectory(atPath: staging).isEmpty)
                }
            }
        }
    }

    @Test("a message sent and deleted offline: the delete waits for the send, then both land on knowrithm")
    func messageDeleteFollowsItsSend() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.knowrithm, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.knowrithm, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Audit"), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "Sent in haste"), in: .remote(conversation.id), idempotencyKey: "send-1", at: Date())
                    let turn = try #require(sent.turnLocalID)
                    try await replica.enqueue(
                        .deleteMessage(.local(turn)), in: .remote(conversation.id), idempotencyKey: "delete-1", at: Date())
                    #expect(try await replica.outboxQueue().map(\.idempotencyKey) == ["send-1"])

                    #expect(await Self.pusher(replica, api).pushPending() == PushOutcome(pushed: 2, failed: 0, next: .idle))
                    let turns = try #require(try await Self.truthRecord(emulator, conversation.id)?["turns"] as? [[String: Any]])
                    #expect(turns.count == 2)
                    #expect(turns.first?["deleted_at"] is String, "the user message is soft-deleted on the remote")
                    let visible = try #require(try await replica.conversation(id: conversation.id))
                    #expect(visible.turns.map(\.role) == [.assistant])
                    let all = try #require(try await replica.conversation(id: conversation.id, includeDeleted: true))
                    #expect(all.turnLocalIDs.first == turn)
                    #expect(all.turns.first?.id == turns.first?["id"] as? String)
                    try await Self.expectReplicaEqualsRemote(all, api, conversation.id)
                }
            }
        }
    }

    @Test("credentials the remote refuses stop the pass without failing any op")
    func refusedCredentialsFailNoOp() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.agentflow, on: emulator) { replica in
                var account = try EmulatorHarness.account(.agentflow, on: emulator)
                account.credentials = .bearer("wrong-key")
                let connection = RemoteAPIFactory.make(account: account, logger: EmulatorHarness.logger)
                let created = try await Self.create(replica, agent: emulator.addresses.agentIDs[0])
                try await replica.enqueue(
                    .sendMessage(text: "kept"), in: .local(created.conversationLocalID), idempotencyKey: "send-1", at: Date())
                let outcome = await Self.pusher(replica, connection.api).pushPending()
                try await connection.shutdown()
                guard case .accountRefused(let error) = outcome.next else {
                    Issue.record("expected the account to be refused, got \(outcome.next)")
                    return
                }
                #expect(error.code == .unauthorized)
                #expect(outcome.failed == 0)
                let ops = try await replica.pendingOutbox()
                #expect(ops.map(\.state) == [.pending, .pending])
                #expect(ops.map(\.attempts) == [1, 0])
            }
        }
    }

    @Test("a reply stream cut midway leaves the placeholder in error; the retry reads instead of sending twice")
    func cutStreamIsRetried() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(.agentflow, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                    let conversation = try await api.createConversation(
                        ConversationDraft(agentID: emulator.addresses.agentIDs[0]), idempotencyKey: .random())
                    try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "Tell me everything about the renewal"), in: .remote(conversation.id),
                        idempotencyKey: "send-cut", at: Date())
                    var faults = FaultConfiguration()
                    faults.cutStreamAfterEvents = 3
                    await emulator.emulator.faults.update(faults)
                    let events = EventLog()
                    let cut = await Self.pusher(replica, api, events: events).pushPending()
                    guard case .retryLater = cut.next else {
                        Issue.record("a cut stream must ask for a retry, got \(cut.next)")
                        return
                    }
                    let placeholder = try #require(try await replica.conversation(id: conversation.id))
                    #expect(placeholder.turns.map(\.state) == [.done, .error])
                    let waiting = try #require(try await replica.pendingOutbox().first)
                    #expect(waiting.attempts == 1)
                    #expect(waiting.deliveredAt != nil, "the stream started: the remote holds the message")

                    await emulator.emulator.faults.update(FaultConfiguration())
                    #expect(await Self.pusher(replica, api).pushPending() == PushOutcome(pushed: 1, failed: 0, next: .idle))
                    let detail = try #require(try await replica.conversation(id: conversation.id))
                    #expect(detail.turnLocalIDs.first == sent.turnLocalID)
                    #expect(detail.turns.allSatisfy { !$0.id.isEmpty })
                    // The message was sent once: the retry read the cut reply instead of sending again.
                    let turns = try #require(try await Self.truthRecord(emulator, conversation.id)?["turns"] as? [[String: Any]])
                    #expect(turns.map { $0["role"] as? String } == ["user", "assistant"])
                    try await Self.expectReplicaEqualsRemote(detail, api, conversation.id)
                }
            }
        }
    }

    /// The real adapter, reporting that replies do not stream: how a dialect that only
    /// answers whole replies reaches the pusher (every emulated dialect that writes streams).
    struct WholeReplies: RemoteAPI {
        let base: any RemoteAPI
        var capabilities: RemoteCapabilities {
            var capabilities = base.capabilities
            capabilities.streamingReplies = false
            return capabilities
        }
        func rememberOwners(_ owners: [String: String]) { base.rememberOwners(owners) }
        func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
            -> RemotePage<ConversationSnapshot>
        { try await base.conversations(from: position, pageSize: pageSize, filter: filter) }
        func conversation(id: String) async throws -> ConversationSnapshot { try await base.conversation(id: id) }
        func turns(of conversationID: String, from position: PagingPosition, pageSize: Int) async throws -> RemotePage<Turn> {
            try await base.turns(of: conversationID, from: position, pageSize: pageSize)
        }
        func createConversation(_ draft: ConversationDraft, idempotencyKey: IdempotencyKey) async throws -> Conversation {
            try await base.createConversation(draft, idempotencyKey: idempotencyKey)
        }
        func sendMessage(_ content: String, to conversationID: String, idempotencyKey: IdempotencyKey) async throws
            -> SentMessage
        { try await base.sendMessage(content, to: conversationID, idempotencyKey: idempotencyKey) }
        func renameConversation(_ conversationID: String, to title: String, idempotencyKey: IdempotencyKey) async throws
            -> Conversation
        { try await base.renameConversation(conversationID, to: title, idempotencyKey: idempotencyKey) }
    }

    @Test("where replies do not stream, a message is sent whole and its reply lands with the remote's id",
          arguments: writingDialects)
    func wholeReplyLands(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            try await Self.withReplica(dialect, on: emulator) { replica in
                try await EmulatorHarness.withAdapter(dialect, on: emulator) { adapter in
                    let api = WholeReplies(base: adapter)
                    let created = try await Self.create(replica, agent: emulator.addresses.agentIDs[0])
                    let sent = try await replica.enqueue(
                        .sendMessage(text: "Summarise the account"), in: .local(created.conversationLocalID),
                        idempotencyKey: "send-whole", at: Date())
                    let events = EventLog()
                    #expect(await Self.pusher(replica, api, events: events).pushPending()
                        == PushOutcome(pushed: 2, failed: 0, next: .idle))
                    #expect(!events.all.contains { if case .replyProgress = $0 { true } else { false } })
                    let detail = try #require(try await replica.conversation(.local(created.conversationLocalID)))
                    let remoteID = try #require(detail.summary.remoteID)
                    #expect(detail.turns.map(\.role) == [.user, .assistant])
                    #expect(detail.turnLocalIDs.first == sent.turnLocalID)
                    let turns = try #require(try await Self.truthRecord(emulator, remoteID)?["turns"] as? [[String: Any]])
                    #expect(turns.map { $0["id"] as? String } == detail.turns.map(\.id))
                    try await Self.expectReplicaEqualsRemote(detail, adapter, remoteID)
                }
            }
        }
    }
}
