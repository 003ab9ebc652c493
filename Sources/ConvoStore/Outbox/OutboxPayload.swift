import ConvoModel
import Foundation

/// The outbox `payload` column: a write's arguments as a JSON object, plus what undoing its
/// optimistic effect needs (the title or tombstone it replaced).
///
/// Payload keys per kind: create `agent_id`, `title`, `metadata`, `max_context_length`;
/// send `text`; rename `title`, `previous_title`; generate title `seed_message`, `force`;
/// delete/restore conversation `previous_deleted_at`; delete/restore message `turn` (local
/// key), `previous_deleted_at`; upload `name`, `content_type`, `size`, `staged` (the staged
/// copy's path relative to the replica's folder).
enum OutboxPayload {
    /// The payload for `write`; `turn` is a message write's resolved local turn key,
    /// `undo` the members that restore what the write replaced.
    static func encode(_ write: LocalWrite, turn: Int64?, staged: String?, undo: [String: JSONValue]) -> JSONValue {
        var object = undo
        switch write {
        case .createConversation(let agentID, let title, let metadata, let maxContextLength):
            object["agent_id"] = .string(agentID)
            if let title { object["title"] = .string(title) }
            if let metadata { object["metadata"] = metadata }
            if let maxContextLength { object["max_context_length"] = .int(Int64(maxContextLength)) }
        case .sendMessage(let text):
            object["text"] = .string(text)
        case .rename(let title):
            object["title"] = .string(title)
        case .generateTitle(let seedMessage, let force):
            if let seedMessage { object["seed_message"] = .string(seedMessage) }
            object["force"] = .bool(force)
        case .deleteConversation, .restoreConversation:
            break
        case .deleteMessage, .restoreMessage:
            if let turn { object["turn"] = .int(turn) }
        case .uploadFile(let name, let contentType, let bytes):
            object["name"] = .string(name)
            object["content_type"] = .string(contentType)
            object["size"] = .int(Int64(bytes.count))
            if let staged { object["staged"] = .string(staged) }
        }
        return .object(object)
    }

    /// The write a payload holds, or `nil` when the payload is not one this module wrote.
    /// An upload's bytes come from `bytes` (the staged copy), `nil` when it is missing.
    static func decode(kind: String, payload: JSONValue, bytes: (String) -> Data?) -> LocalWrite? {
        guard let kind = OutboxKind(rawValue: kind), let object = payload.objectValue else { return nil }
        switch kind {
        case .createConversation:
            guard let agentID = object["agent_id"]?.stringValue else { return nil }
            var maxContextLength: Int?
            if case .int(let value)? = object["max_context_length"] { maxContextLength = Int(value) }
            let metadata = object["metadata"].flatMap { $0 == .null ? nil : $0 }
            return .createConversation(
                agentID: agentID, title: object["title"]?.stringValue, metadata: metadata,
                maxContextLength: maxContextLength)
        case .sendMessage:
            return object["text"]?.stringValue.map { .sendMessage(text: $0) }
        case .rename:
            return object["title"]?.stringValue.map { .rename(title: $0) }
        case .generateTitle:
            var force = false
            if case .bool(let value)? = object["force"] { force = value }
            return .generateTitle(seedMessage: object["seed_message"]?.stringValue, force: force)
        case .deleteConversation:
            return .deleteConversation
        case .restoreConversation:
            return .restoreConversation
        case .deleteMessage:
            return turn(object).map { .deleteMessage(.local($0)) }
        case .restoreMessage:
            return turn(object).map { .restoreMessage(.local($0)) }
        case .uploadFile:
            guard let name = object["name"]?.stringValue, let staged = object["staged"]?.stringValue,
                let data = bytes(staged)
            else { return nil }
            return .uploadFile(
                name: name, contentType: object["content_type"]?.stringValue ?? "application/octet-stream", bytes: data)
        }
    }

    /// A message write's local turn key.
    static func turn(_ object: [String: JSONValue]) -> Int64? {
        if case .int(let value)? = object["turn"] { return value }
        return nil
    }

    /// An integer member (a time in milliseconds), `nil` when absent or null.
    static func integer(_ object: [String: JSONValue], _ key: String) -> Int64? {
        if case .int(let value)? = object[key] { return value }
        return nil
    }
}
