import Foundation
import GRDB

extension EmulatorStore {
    /// The credential holding `apiKey`, or nil.
    func credential(apiKey: String) async throws -> CredentialRecord? {
        try await database.read { db in try CredentialRecord.fetchOne(db, key: apiKey) }
    }

    /// A tenant's agents, by id.
    func agents(tenantID: String) async throws -> [AgentRecord] {
        try await database.read { db in
            try AgentRecord.filter(AgentRecord.Columns.tenantID == tenantID).order(AgentRecord.Columns.id).fetchAll(db)
        }
    }

    /// One agent of a tenant.
    ///
    /// - Throws: `agent_not_found` when it does not exist in this tenant.
    func agent(_ id: String, tenantID: String) async throws -> AgentRecord {
        let agent = try await database.read { db in try AgentRecord.fetchOne(db, key: id) }
        guard let agent, agent.tenantID == tenantID else {
            throw EmulatorError(.agentNotFound, "no agent \(BodyReader.printable(id))")
        }
        return agent
    }

    /// One conversation of a tenant, soft-deleted or not.
    ///
    /// - Throws: `conversation_not_found` when it does not exist in this tenant.
    func conversation(_ id: String, tenantID: String) async throws -> ConversationRecord {
        try await database.read { db in try Self.conversation(db, id, tenantID: tenantID) }
    }

    static func conversation(_ db: Database, _ id: String, tenantID: String) throws -> ConversationRecord {
        guard let record = try ConversationRecord.fetchOne(db, key: id), record.tenantID == tenantID else {
            throw EmulatorError(.conversationNotFound, "no conversation \(BodyReader.printable(id))")
        }
        return record
    }

    /// A conversation with all its messages and fragments.
    func detail(_ id: String, tenantID: String) async throws -> ConversationDetail {
        try await database.read { db in
            let record = try Self.conversation(db, id, tenantID: tenantID)
            return try Self.details(db, [record])[0]
        }
    }

    /// Details for many conversations, in the given order, in one read.
    static func details(_ db: Database, _ records: [ConversationRecord]) throws -> [ConversationDetail] {
        guard !records.isEmpty else { return [] }
        let ids = records.map(\.id)
        let messages = try MessageRecord
            .filter(ids.contains(MessageRecord.Columns.conversationID))
            .order(MessageRecord.Columns.conversationID, MessageRecord.Columns.ordinal)
            .fetchAll(db)
        let fragments = try FragmentRecord
            .filter(sql: "message_id IN (SELECT id FROM message WHERE conversation_id IN (\(ids.map { _ in "?" }.joined(separator: ","))))",
                    arguments: StatementArguments(ids))
            .order(FragmentRecord.Columns.messageID, FragmentRecord.Columns.position)
            .fetchAll(db)
        let fragmentsByMessage = Dictionary(grouping: fragments, by: \.messageID)
        let messagesByConversation = Dictionary(grouping: messages, by: \.conversationID)
        return records.map { record in
            ConversationDetail(
                conversation: record,
                messages: (messagesByConversation[record.id] ?? []).map {
                    MessageDetail(message: $0, fragments: fragmentsByMessage[$0.id] ?? [])
                })
        }
    }

    /// Details for many conversations in one read.
    func details(_ records: [ConversationRecord]) async throws -> [ConversationDetail] {
        try await database.read { db in try Self.details(db, records) }
    }

    /// The number of visible (not soft-deleted) messages per conversation id.
    func messageCounts(_ ids: [String]) async throws -> [String: Int64] {
        guard !ids.isEmpty else { return [:] }
        return try await database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT conversation_id, COUNT(*) FROM message WHERE deleted_at IS NULL AND conversation_id IN (\(ids.map { _ in "?" }.joined(separator: ","))) GROUP BY conversation_id",
                arguments: StatementArguments(ids))
            var counts = Dictionary(uniqueKeysWithValues: ids.map { ($0, Int64(0)) })
            for row in rows { counts[row[0]] = row[1] }
            return counts
        }
    }

    /// One page of a conversation listing and the total matching the filters.
    func page(_ query: ConversationQuery) async throws -> (items: [ConversationRecord], total: Int) {
        var filters = ["tenant_id = ?"]
        var arguments: [any DatabaseValueConvertible] = [query.tenantID]
        if let agentID = query.agentID { filters.append("agent_id = ?"); arguments.append(agentID) }
        if let entityID = query.entityID { filters.append("entity_id = ?"); arguments.append(entityID) }
        if let sourceRefID = query.sourceRefID { filters.append("source_ref_id = ?"); arguments.append(sourceRefID) }
        if let source = query.source { filters.append("source = ?"); arguments.append(source) }
        if let excluded = query.excludeSource { filters.append("source <> ?"); arguments.append(excluded) }
        switch query.deletion {
        case .active: filters.append("deleted_at IS NULL")
        case .deletedOnly: filters.append("deleted_at IS NOT NULL")
        case .all: break
        }
        if let search = query.search {
            let pattern = "%" + Self.escapeLike(search) + "%"
            filters.append("""
                (title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM message m JOIN fragment f ON f.message_id = m.id \
                WHERE m.conversation_id = conversation.id AND m.deleted_at IS NULL AND f.content LIKE ? ESCAPE '\\'))
                """)
            arguments.append(pattern)
            arguments.append(pattern)
        }
        let whereClause = filters.joined(separator: " AND ")
        let totalArguments = arguments
        var pageFilters = whereClause
        let orderClause: String
        switch query.order {
        case .updatedDescending:
            orderClause = "ORDER BY updated_at DESC, id DESC"
            if case .after(let time, let id) = query.start {
                pageFilters += " AND (updated_at < ? OR (updated_at = ? AND id < ?))"
                arguments += [time, time, id]
            }
        case .createdAscending:
            orderClause = "ORDER BY created_at ASC, id ASC"
            if case .after(let time, let id) = query.start {
                pageFilters += " AND (created_at > ? OR (created_at = ? AND id > ?))"
                arguments += [time, time, id]
            }
        }
        var limitClause = "LIMIT ?"
        arguments.append(query.limit)
        if case .offset(let offset) = query.start {
            limitClause += " OFFSET ?"
            arguments.append(offset)
        }
        let totalSQL = "SELECT COUNT(*) FROM conversation WHERE \(whereClause)"
        let pageSQL = "SELECT * FROM conversation WHERE \(pageFilters) \(orderClause) \(limitClause)"
        let totalStatementArguments = StatementArguments(totalArguments.map(\.databaseValue))
        let pageStatementArguments = StatementArguments(arguments.map(\.databaseValue))
        return try await database.read { db in
            let total = try Int.fetchOne(db, sql: totalSQL, arguments: totalStatementArguments) ?? 0
            let items = try ConversationRecord.fetchAll(db, sql: pageSQL, arguments: pageStatementArguments)
            return (items, total)
        }
    }

    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// One message of a tenant and its conversation.
    ///
    /// - Throws: `message_not_found` when it does not exist in this tenant.
    func message(_ id: String, tenantID: String) async throws -> MessageRecord {
        try await database.read { db in try Self.message(db, id, tenantID: tenantID) }
    }

    static func message(_ db: Database, _ id: String, tenantID: String) throws -> MessageRecord {
        guard let message = try MessageRecord.fetchOne(db, key: id),
              let owner = try ConversationRecord.fetchOne(db, key: message.conversationID),
              owner.tenantID == tenantID
        else {
            throw EmulatorError(.messageNotFound, "no message \(BodyReader.printable(id))")
        }
        return message
    }
}
