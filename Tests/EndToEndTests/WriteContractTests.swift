import EmulatorSupport
import ConvoEmulator
import ConvoModel
import ConvoRemote
import Foundation
import Testing

/// Each adapter's writes, streams and reads of one conversation, driven against the emulator:
/// what the adapter reports must be what the emulator then holds.
@Suite("Adapters against the emulator: writes, streams, watch, files")
struct WriteContractTests {
    static let writingDialects: [Dialect] = Dialect.allCases.filter { RemoteCapabilities.of($0).writes.contains(.createConversation) }

    /// The emulator's record of one conversation, or nil when it is gone.
    private func truthRecord(_ emulator: RunningEmulator, _ id: String) async throws -> [String: Any]? {
        try await EmulatorHarness.truth(emulator).first { $0["id"] as? String == id }
    }

    @Test("create, send and stream: the reply the adapter assembles is the one the emulator stored", arguments: writingDialects)
    func createSendAndStream(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 3) { emulator in
            try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                let agent = emulator.addresses.agentIDs[0]
                let created = try await api.createConversation(
                    ConversationDraft(agentID: agent, title: "Contract check"), idempotencyKey: .random())
                #expect(try await truthRecord(emulator, created.id) != nil)

                let sent = try await api.sendMessage("What is the renewal status?", to: created.id, idempotencyKey: .random())
                var assembled = ""
                var finished: (String?, String)?
                if api.capabilities.streamingReplies {
                    for try await event in try await api.streamReply(
                        to: "Walk me through the pipeline", in: created.id, idempotencyKey: .random())
                    {
                        switch event {
                        case .delta(let text): assembled += text
                        case .finished(let id, let text): finished = (id, text)
                        case .started, .stopped, .failed: break
                        }
                    }
                    let (messageID, text) = try #require(finished)
                    #expect(assembled == text, "the deltas concatenate to the final text")
                    let record = try #require(try await truthRecord(emulator, created.id))
                    let turns = try #require(record["turns"] as? [[String: Any]])
                    let reply = try #require(turns.last)
                    #expect(reply["state"] as? String == "done")
                    let stored = (reply["fragments"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }.joined()
                    #expect(stored.replacingOccurrences(of: "\n", with: "") == text.replacingOccurrences(of: "\n", with: ""))
                    if let messageID { #expect(reply["id"] as? String == messageID) }
                }
                let record = try #require(try await truthRecord(emulator, created.id))
                let turns = try #require(record["turns"] as? [[String: Any]])
                #expect(turns.count == (api.capabilities.streamingReplies ? 4 : 2))
                if let replyID = sent.replyID {
                    #expect(turns.contains { $0["id"] as? String == replyID })
                }
            }
        }
    }

    @Test("the same idempotency key twice creates one conversation", arguments: writingDialects)
    func idempotentCreate(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                let before = try await EmulatorHarness.truth(emulator).count
                let key = IdempotencyKey.random()
                let draft = ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Once")
                let first = try await api.createConversation(draft, idempotencyKey: key)
                let second = try await api.createConversation(draft, idempotencyKey: key)
                #expect(first.id == second.id)
                #expect(try await EmulatorHarness.truth(emulator).count == before + 1)
            }
        }
    }

    @Test("a hard delete makes the conversation's own documented read say conversation_not_found", arguments: [Dialect.agentflow, .v2])
    func hardDeleteIsObservable(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await EmulatorHarness.withAdapter(dialect, on: emulator) { api in
                let created = try await api.createConversation(
                    ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Short-lived"), idempotencyKey: .random())
                try await api.deleteConversation(created.id, idempotencyKey: .random())
                #expect(try await truthRecord(emulator, created.id) == nil)
                let error = await #expect(throws: RemoteError.self) {
                    if api.capabilities.pagedTurns {
                        _ = try await api.turns(of: created.id, from: .start, pageSize: 10)
                    } else {
                        _ = try await api.conversation(id: created.id)
                    }
                }
                #expect(error?.isConversationNotFound == true)
            }
        }
    }

    @Test("knowrithm soft deletes and restores conversations and messages, singly and in bulk, idempotently")
    func knowrithmSoftDeletes() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await EmulatorHarness.withAdapter(.knowrithm, on: emulator) { api in
                let created = try await api.createConversation(
                    ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Audit trail"), idempotencyKey: .random())
                _ = try await api.sendMessage("Hello there", to: created.id, idempotencyKey: .random())

                try await api.deleteConversation(created.id, idempotencyKey: .random())
                try await api.deleteConversation(created.id, idempotencyKey: .random())
                #expect(try await truthRecord(emulator, created.id)?["deleted_at"] is String)
                let deleted = try await api.deletedConversations(from: .start, pageSize: 100)
                #expect(deleted.items.contains { $0.id == created.id && $0.deletedAt != nil })
                // Soft-deleted, it still answers its documented read (its messages listing).
                _ = try await api.turns(of: created.id, from: .start, pageSize: 10)
                try await api.restoreConversation(created.id, idempotencyKey: .random())
                try await api.restoreConversation(created.id, idempotencyKey: .random())
                #expect(try await truthRecord(emulator, created.id)?["deleted_at"] is NSNull)

                let turns = try await api.turns(of: created.id, from: .start, pageSize: 100).items
                let first = try #require(turns.first)
                try await api.deleteMessage(first.id, in: created.id, idempotencyKey: .random())
                var listed = try await api.turns(of: created.id, from: .start, pageSize: 100).items
                #expect(listed.first { $0.id == first.id }?.deletedAt != nil)
                try await api.restoreMessage(first.id, in: created.id, idempotencyKey: .random())
                try await api.deleteAllMessages(in: created.id, idempotencyKey: .random())
                listed = try await api.turns(of: created.id, from: .start, pageSize: 100).items
                #expect(!listed.isEmpty && listed.allSatisfy { $0.deletedAt != nil })
                try await api.restoreAllMessages(in: created.id, idempotencyKey: .random())
                listed = try await api.turns(of: created.id, from: .start, pageSize: 100).items
                #expect(listed.allSatisfy { $0.deletedAt == nil })
            }
        }
    }

    @Test("agentflow rename, title generation, cancel and watch resumption with the SSE id")
    func agentflowLifecycle() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await EmulatorHarness.withAdapter(.agentflow, on: emulator) { api in
                let agents = try await api.agents(named: nil)
                #expect(Set(agents.map(\.id)) == Set(emulator.addresses.agentIDs))
                let created = try await api.createConversation(
                    ConversationDraft(agentID: emulator.addresses.agentIDs[0]), idempotencyKey: .random())
                let renamed = try await api.renameConversation(created.id, to: "Q3 Revenue Analysis", idempotencyKey: .random())
                #expect(renamed.title == "Q3 Revenue Analysis")
                let generated = try await api.generateTitle(
                    for: created.id, seedMessage: "What does our Q3 pipeline look like?", force: true, idempotencyKey: .random())
                #expect(!generated.isEmpty)
                #expect(try await truthRecord(emulator, created.id)?["title"] as? String == generated)

                // Watch: the first snapshot, then resume after it and see only later ones.
                var firstID: String?
                for try await event in api.watch(conversationID: created.id, lastEventID: nil) {
                    if case .snapshot(let id, let snapshot) = event {
                        firstID = id
                        #expect(snapshot.conversation.id == created.id)
                        break
                    }
                }
                let resumeFrom = try #require(firstID)
                _ = try await api.renameConversation(created.id, to: "After the first snapshot", idempotencyKey: .random())
                for try await event in api.watch(conversationID: created.id, lastEventID: resumeFrom) {
                    if case .snapshot(let id, let snapshot) = event {
                        #expect((Int(id ?? "") ?? 0) > (Int(resumeFrom) ?? 0))
                        #expect(snapshot.conversation.title == "After the first snapshot")
                        break
                    }
                    if case .reset = event { Issue.record("a retained id must not reset") }
                }
            }
        }
    }

    @Test("v2 files upload, list and download byte for byte; data frames list and slice")
    func v2FilesAndFrames() async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 2) { emulator in
            try await EmulatorHarness.withAdapter(.v2, on: emulator) { api in
                let created = try await api.createConversation(
                    ConversationDraft(agentID: emulator.addresses.agentIDs[0], title: "Invoices"), idempotencyKey: .random())
                let bytes = Data((0..<4096).map { UInt8($0 % 251) })
                let hostileName = "../../etc/passwd \"quoted\" 100% ünïcode\u{7}\n.pdf"
                let uploaded = try await api.uploadFiles(
                    [FileUpload(filename: hostileName, contentType: "application/pdf", data: bytes)],
                    to: created.id, idempotencyKey: .random())
                let file = try #require(uploaded.first)
                #expect(file.name == hostileName, "a file name is free text, kept as given")
                let listed = try await api.files(of: created.id)
                #expect(listed.contains { $0.ref == file.ref && $0.size == Int64(bytes.count) })
                var downloaded = Data()
                for try await chunk in try await api.downloadFile(ref: file.ref, of: created.id) {
                    downloaded.append(contentsOf: chunk.readableBytesView)
                }
                #expect(downloaded == bytes)

                _ = try await api.sendMessage("Build me a table of the pipeline report", to: created.id, idempotencyKey: .random())
                let frames = try await api.dataFrames(of: created.id, sampleCount: 3)
                let frame = try #require(frames.first)
                #expect(frame.samples.count <= 3)
                let slice = try await api.dataFrame(
                    named: frame.name, of: created.id,
                    query: DataFrameQuery(offset: 1, limit: 2, columns: Array(frame.columns.prefix(2)), orderBy: frame.columns.first))
                #expect(slice.columns == Array(frame.columns.prefix(2)))
                #expect(slice.rows.count == min(2, max(0, frame.rowCount - 1)))
            }
        }
    }

    @Test("credentials that are wrong are unauthorized in every dialect", arguments: Dialect.allCases)
    func wrongCredentials(dialect: Dialect) async throws {
        try await EmulatorHarness.withSeededEmulator(conversations: 1) { emulator in
            var account = try EmulatorHarness.account(dialect, on: emulator)
            account.credentials = dialect == .knowrithm ? .apiKey("dev-key", secret: "wrong") : .bearer("wrong-key")
            let connection = RemoteAPIFactory.make(account: account, logger: EmulatorHarness.logger)
            let error = await #expect(throws: RemoteError.self) {
                _ = try await connection.api.conversations(
                    from: .start, pageSize: 10, filter: ConversationFilter(agentID: connection.api.capabilities.listsPerAgent ? emulator.addresses.agentIDs[0] : nil))
            }
            #expect(error?.code == .unauthorized)
            try await connection.shutdown()
        }
    }
}
