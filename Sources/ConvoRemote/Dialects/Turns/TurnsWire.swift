import ConvoModel
import Foundation

/// The turns wire shapes (`Schema/turns.openapi.json`), decoded strictly and mapped to
/// ConvoModel values. Optional members are omitted, never null: a null is malformed.
enum TurnsWire {
    /// `Fragment`: its own state and metadata kept; a `kind` other than `text` is kept
    /// too (the set is open, DESIGN "Data model").
    struct WireFragment: WireDTO {
        var value: Fragment

        init(wire object: WireObject) throws {
            let metadata = try object.omittable("metadata", as: JSONValue.self)
            if let metadata, metadata.objectValue == nil { throw object.corrupted("metadata", "not an object") }
            let state: FragmentState?
            if let text = try object.omittable("state", as: String.self) {
                guard let parsed = FragmentState(rawValue: text) else { throw object.corrupted("state", "unknown value") }
                state = parsed
            } else {
                state = nil
            }
            let kind = try object.required("kind", as: String.self)
            guard !kind.isEmpty else { throw object.corrupted("kind", "empty") }
            value = Fragment(
                kind: FragmentKind(rawValue: kind), content: try object.required("content"), state: state,
                metadata: metadata)
        }
    }

    /// `Turn`.
    struct WireTurn: WireDTO {
        var value: Turn

        init(wire object: WireObject) throws {
            value = Turn(
                id: try object.required("id"), role: try object.role(), timestamp: try object.time("timestamp"),
                state: try object.enumerated("state", TurnState.self), errorDetail: try object.omittable("errorDetail"),
                inReplyTo: try object.omittable("inReplyToId"),
                fragments: try object.required("messages", as: [WireFragment].self).map(\.value))
        }
    }

    /// `Conversation`: an id and every turn.
    struct Conv: WireDTO {
        var value: ConversationSnapshot

        init(wire object: WireObject) throws {
            value = ConversationSnapshot(
                conversation: Conversation(id: try object.required("id")),
                turns: try object.required("turns", as: [WireTurn].self).map(\.value))
        }
    }

    /// `ConversationPage` with its `PageInfo`.
    struct Page: WireDTO {
        var conversations: [ConversationSnapshot]
        var pageSize: Int
        var offset: Int
        var total: Int

        init(wire object: WireObject) throws {
            conversations = try object.required("conversations", as: [Conv].self).map(\.value)
            let info = try object.required("pageInfo", as: Info.self)
            pageSize = info.pageSize
            offset = info.offset
            total = info.total
        }
    }

    /// `PageInfo`.
    struct Info: WireDTO {
        var pageSize: Int
        var offset: Int
        var total: Int

        init(wire object: WireObject) throws {
            pageSize = try object.integer("requestedPageSize", minimum: 1, maximum: 100)
            offset = try object.integer("requestedOffset")
            total = try object.integer("totalResultCount")
        }
    }
}
