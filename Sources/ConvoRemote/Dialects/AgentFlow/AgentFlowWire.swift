import ConvoModel
import Foundation

/// The agentflow wire shapes (`Schema/agentflow.openapi.json`), decoded strictly and
/// mapped to ConvoModel values.
enum AgentFlowWire {
    /// `AgentList` (its agents are `WireAgent`s).
    struct AgentList: WireDTO {
        var agents: [RemoteAgent]

        init(wire object: WireObject) throws {
            agents = try object.required("agents", as: [WireAgent].self).map(\.value)
        }
    }

    /// `Conversation` (Conv).
    struct Conv: WireDTO {
        var value: Conversation

        init(wire object: WireObject) throws {
            value = try Self.conversation(object)
        }

        static func conversation(_ object: WireObject) throws -> Conversation {
            Conversation(
                id: try object.required("id"), agentID: try object.required("agent_id", as: String.self),
                title: try object.nullable("title"), source: try object.required("source", as: String.self),
                sourceRefID: try object.nullable("source_ref_id"), messageCount: try object.nullableInteger("message_count"),
                createdAt: try object.time("created_at"), updatedAt: try object.time("updated_at"))
        }
    }

    /// `ConversationDetail`: a Conv plus all its messages (also each watch snapshot).
    struct Detail: WireDTO {
        var value: ConversationSnapshot

        init(wire object: WireObject) throws {
            value = ConversationSnapshot(
                conversation: try Conv.conversation(object),
                turns: try object.required("messages", as: [Message].self).map(\.value))
        }
    }

    /// `Message`: flat content becomes one text fragment.
    struct Message: WireDTO {
        var value: Turn

        init(wire object: WireObject) throws {
            value = Turn(
                id: try object.required("id"), role: try object.role(), timestamp: try object.nullableTime("timestamp"),
                fragments: [Fragment(content: try object.required("content"))])
        }
    }

    /// `ConversationPage`.
    struct Page: WireDTO {
        var conversations: [Conversation]
        var total: Int
        var nextCursor: String?

        init(wire object: WireObject) throws {
            conversations = try object.required("conversations", as: [Conv].self).map(\.value)
            total = try object.integer("total")
            nextCursor = try object.nullable("next_cursor")
        }
    }

    /// `SendMessageResponse`.
    struct SendResult: WireDTO {
        var messageID: String
        var text: String

        init(wire object: WireObject) throws {
            messageID = try object.required("message_id")
            text = try object.required("text")
        }
    }

    /// `TitleResponse`.
    struct Title: WireDTO {
        var title: String

        init(wire object: WireObject) throws {
            title = try object.required("title")
        }
    }

    /// `RunStartedEvent`.
    struct RunStarted: WireDTO {
        var runID: String

        init(wire object: WireObject) throws {
            runID = try object.required("run_id")
        }
    }

    /// `TextDeltaEvent`.
    struct TextDelta: WireDTO {
        var text: String

        init(wire object: WireObject) throws {
            text = try object.required("text")
        }
    }

    /// `FinalResponseEvent`.
    struct FinalResponse: WireDTO {
        var text: String
        var messageID: String

        init(wire object: WireObject) throws {
            text = try object.required("text")
            messageID = try object.required("message_id")
        }
    }

    /// `RunCancelledEvent`.
    struct RunCancelled: WireDTO {
        var runID: String
        var messageID: String
        var text: String

        init(wire object: WireObject) throws {
            runID = try object.required("run_id")
            messageID = try object.required("message_id")
            text = try object.required("text")
        }
    }

    /// `ResetEvent`.
    struct Reset: WireDTO {
        var lastEventID: String

        init(wire object: WireObject) throws {
            lastEventID = try object.required("last_event_id")
        }
    }

    /// `DeletedEvent`.
    struct Deleted: WireDTO {
        var id: String

        init(wire object: WireObject) throws {
            id = try object.required("id")
        }
    }

    /// `CreateConversationRequest`.
    struct CreateBody: Encodable {
        var agent_id: String
    }

    /// `SendMessageRequest`.
    struct ContentBody: Encodable {
        var content: String
    }

    /// `GenerateTitleRequest`: `seed_message` is omitted when absent.
    struct TitleBody: Encodable {
        var seed_message: String?
        var force: Bool
    }

    /// `UpdateConversationRequest`.
    struct UpdateBody: Encodable {
        var title: String
    }
}
