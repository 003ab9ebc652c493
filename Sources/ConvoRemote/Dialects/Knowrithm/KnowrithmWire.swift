import ConvoModel
import Foundation

/// The knowrithm wire shapes (`Schema/knowrithm.openapi.json`), decoded strictly and
/// mapped to ConvoModel values.
enum KnowrithmWire {
    /// `Conversation`: metadata, context length and `deleted_at` kept.
    struct Conv: WireDTO {
        var value: Conversation

        init(wire object: WireObject) throws {
            _ = try object.required("entity_id", as: String.self)
            value = Conversation(
                id: try object.required("id"), agentID: try object.required("agent_id", as: String.self),
                title: try object.nullable("title"), metadata: try object.object("metadata"),
                maxContextLength: try object.nullableInteger("max_context_length", minimum: 1),
                createdAt: try object.time("created_at"), updatedAt: try object.time("updated_at"),
                deletedAt: try object.nullableTime("deleted_at"))
        }
    }

    /// `Message`: flat content becomes one text fragment; `deleted_at` while soft-deleted.
    struct Message: WireDTO {
        var value: Turn

        init(wire object: WireObject) throws {
            value = Turn(
                id: try object.required("id"), role: try object.role(), timestamp: try object.time("created_at"),
                deletedAt: try object.nullableTime("deleted_at"), fragments: [Fragment(content: try object.required("content"))])
        }
    }

    /// `ConversationPage` / `MessagePage`: page numbers from 1, at most 100 per page.
    struct Page<Item: WireValue>: WireDTO {
        var items: [Item]
        var page: Int
        var perPage: Int
        var total: Int
        var pages: Int

        init(wire object: WireObject) throws {
            items = try object.required("items")
            page = try object.integer("page", minimum: 1)
            perPage = try object.integer("per_page", minimum: 1, maximum: 100)
            total = try object.integer("total")
            pages = try object.integer("pages")
        }
    }

    /// `Exchange`.
    struct Exchange: WireDTO {
        var userMessage: String
        var assistantResponse: String
        var createdAt: Date

        init(wire object: WireObject) throws {
            userMessage = try object.required("user_message")
            assistantResponse = try object.required("assistant_response")
            createdAt = try object.time("created_at")
        }
    }

    /// `ChatHistory`.
    struct History: WireDTO {
        var history: [Exchange]

        init(wire object: WireObject) throws {
            history = try object.required("history")
        }
    }

    /// `DeltaEvent`.
    struct Delta: WireDTO {
        var delta: String

        init(wire object: WireObject) throws {
            delta = try object.required("delta")
        }
    }

    /// `DoneEvent`.
    struct Done: WireDTO {
        var messageID: String

        init(wire object: WireObject) throws {
            messageID = try object.required("message_id")
        }
    }

    /// `BulkResult`.
    struct Bulk: WireDTO {
        var affected: Int

        init(wire object: WireObject) throws {
            affected = try object.integer("affected")
        }
    }

    /// `CreateConversationRequest`: optional members are omitted when absent.
    struct CreateBody: Encodable {
        var agent_id: String
        var title: String?
        var metadata: JSONValue?
        var max_context_length: Int?
    }

    /// `ChatRequest`.
    struct ChatBody: Encodable {
        var message: String
    }
}
