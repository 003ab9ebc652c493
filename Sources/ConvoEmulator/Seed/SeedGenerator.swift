import Foundation
import GRDB

/// Fills a fresh store with realistic, deterministic data: the same seed gives the same
/// rows, byte for byte (times count from a fixed epoch, never the clock).
///
/// Two tenants: the configured one (default `acme`, key `dev-key`, secret `dev-secret`)
/// with `conversations` conversations, and `globex` (`globex-key`/`globex-secret`) with a
/// few. Each tenant has three agents. Conversations get English titles (some none),
/// metadata, a source (`web`, `slack`, `api`, `email`), often a source_ref_id,
/// alternating user and multi-fragment assistant turns; about 5 % are soft-deleted,
/// about 3 % of messages too; about one in ten holds a report file and data frame.
struct SeedGenerator {
    /// 2026-01-01T00:00:00Z: the first generated conversation starts here.
    static let epochMilliseconds: Int64 = 1_767_225_600_000

    let configuration: EmulatorConfiguration

    /// The second tenant, always present so isolation is testable.
    static let otherTenant = (name: "globex", apiKey: "globex-key", secret: "globex-secret")

    func populate(_ store: EmulatorStore) async throws {
        let configuration = self.configuration
        try await store.database.write { db in
            var generator = TextGenerator(seed: configuration.generator.seed)
            var clock = Self.epochMilliseconds
            try populateTenant(
                db, store: store, generator: &generator, clock: &clock,
                tenant: configuration.tenant, apiKey: configuration.apiKey, secret: configuration.apiSecret,
                conversations: configuration.generator.conversations)
            if configuration.tenant != Self.otherTenant.name {
                try populateTenant(
                    db, store: store, generator: &generator, clock: &clock,
                    tenant: Self.otherTenant.name, apiKey: Self.otherTenant.apiKey, secret: Self.otherTenant.secret,
                    conversations: configuration.generator.otherTenantConversations)
            }
        }
    }

    private func populateTenant(
        _ db: Database, store: EmulatorStore, generator: inout TextGenerator, clock: inout Int64,
        tenant: String, apiKey: String, secret: String, conversations: Int
    ) throws {
        try TenantRecord(id: tenant).insert(db)
        try CredentialRecord(apiKey: apiKey, tenantID: tenant, secret: secret, entityID: "entity_" + generator.random.hex16()).insert(db)
        let entityID = try CredentialRecord.fetchOne(db, key: apiKey)?.entityID ?? ""
        var agents: [String] = []
        for name in TextGenerator.agentNames {
            let agent = AgentRecord(id: "agent_" + generator.random.hex16(), tenantID: tenant, name: name, createdAt: clock)
            try agent.insert(db)
            agents.append(agent.id)
        }
        let turnsPerConversation = max(1, configuration.generator.turns)
        for _ in 0..<max(0, conversations) {
            clock += Int64(generator.int(1...90)) * 60_000 + Int64(generator.int(0...3)) * 250
            let created = clock
            let id = "conv_" + generator.random.hex16()
            let source = generator.pick(TextGenerator.sources)
            let sourceRef: String? = generator.chance(0.7) ? "\(source)-user-\(generator.int(1...40))" : nil
            let metadata = JSON.object([
                ("channel", .string(source)),
                ("priority", .string(generator.pick(["low", "normal", "high"]))),
                ("tags", .array((0..<generator.int(0...2)).map { _ in .string(generator.pick(["sales", "support", "finance", "ops", "legal"])) })),
            ])
            let title: String? = generator.chance(0.9) ? generator.title() : nil
            let maxContext: Int64? = generator.chance(0.5) ? Int64(generator.pick([4096, 8192, 32768])) : nil
            var record = ConversationRecord(
                id: id, tenantID: tenant, agentID: generator.pick(agents), entityID: entityID, title: title,
                metadata: metadata.serializedString(), source: source, sourceRefID: sourceRef,
                maxContextLength: maxContext, createdAt: created, updatedAt: created, deletedAt: nil)
            try record.insert(db)
            var time = created
            var lastUser: String?
            var wantsReport = false
            for ordinal in 1...turnsPerConversation {
                time += Int64(generator.int(5...240)) * 1000
                let isUser = ordinal % 2 == 1
                let messageID = "msg_" + generator.random.hex16()
                let deleted: Int64? = generator.chance(0.03) ? time + 60_000 : nil
                try MessageRecord(
                    id: messageID, conversationID: id, ordinal: Int64(ordinal), role: isUser ? "user" : "assistant",
                    createdAt: time, state: "done", errorDetail: nil, inReplyTo: isUser ? nil : lastUser,
                    deletedAt: deleted).insert(db)
                if isUser {
                    var question = generator.question()
                    if generator.chance(0.1) {
                        question += " Please put it in a table."
                        wantsReport = true
                    }
                    try FragmentRecord(messageID: messageID, position: 0, kind: "text", content: question, state: "done", metadata: nil).insert(db)
                    lastUser = messageID
                } else {
                    let topic = generator.pick(TextGenerator.subjects)
                    for (position, paragraph) in generator.reply(about: topic).enumerated() {
                        try FragmentRecord(
                            messageID: messageID, position: Int64(position), kind: "text", content: paragraph, state: "done",
                            metadata: position == 0 ? Self.replyMetadata(paragraph).serializedString() : nil).insert(db)
                    }
                }
            }
            if wantsReport {
                let (name, columns, rows) = ReportBuilder.table(seed: generator.random.next(), conversationID: id)
                try DataFrameRecord(
                    conversationID: id, name: name, columns: JSON.array(columns.map(JSON.string)).serializedString(),
                    rows: JSON.array(rows.map(JSON.array)).serializedString(), createdAt: time).insert(db)
                try FileRecord(
                    fileRef: "file_" + generator.random.hex16(), conversationID: id, name: "\(name).csv",
                    contentType: "text/csv", direction: "output",
                    bytes: Data(ReportBuilder.csv(columns: columns, rows: rows).utf8), createdAt: time).insert(db)
                try FileRecord(
                    fileRef: "file_" + generator.random.hex16(), conversationID: id,
                    name: generator.pick(["notes.txt", "Q3 plan (final).txt", "../notes.txt", "notes.txt"]),
                    contentType: "text/plain", direction: "input",
                    bytes: Data(generator.question().utf8), createdAt: time).insert(db)
            }
            record.updatedAt = time
            if generator.chance(0.05) { record.deletedAt = time + 3_600_000 }
            try record.update(db)
            try store.recordSnapshot(db, id)
        }
    }

    /// What a platform records of a generated reply on its first fragment: the model, why it
    /// stopped and its length, several keys, as real platforms send (a client must not
    /// depend on their order).
    static func replyMetadata(_ paragraph: String) -> JSON {
        JSON.object([
            ("model", .string("emulator-1")), ("finish_reason", .string("stop")),
            ("output_characters", .int(Int64(paragraph.count))),
        ])
    }
}
