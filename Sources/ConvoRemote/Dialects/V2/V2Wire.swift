import ConvoModel
import Foundation

/// The v2 wire shapes (`Schema/v2.openapi.json`), decoded strictly and mapped to
/// ConvoModel values.
enum V2Wire {
    /// `Conversation`: `name` becomes the title; an empty name (a conversation created
    /// untitled through another client) is no title, as the other dialects say `null`.
    struct Conv: WireDTO {
        var value: Conversation

        init(wire object: WireObject) throws {
            value = Conversation(
                id: try object.required("id"), agentID: try object.required("agent_id", as: String.self),
                title: try object.required("name", as: String.self).nonEmpty)
        }
    }

    /// `Message`: flat content becomes one text fragment.
    struct Message: WireDTO {
        var value: Turn

        init(wire object: WireObject) throws {
            value = Turn(
                id: try object.required("id"), role: try object.role(), timestamp: try object.time("created_at"),
                fragments: [Fragment(content: try object.required("content"))])
        }
    }

    /// `PaginatedResponse`: `{"items", "next"}`, `next` required and nullable.
    struct Page<Item: WireValue>: WireDTO {
        var items: [Item]
        var next: String?

        init(wire object: WireObject) throws {
            items = try object.required("items")
            next = try object.nullable("next")
        }
    }

    /// `ConversationState`: the answer to a sent message.
    struct State: WireDTO {
        var conversation: Conversation
        var messages: [Turn]

        init(wire object: WireObject) throws {
            conversation = try object.required("conversation", as: Conv.self).value
            messages = try object.required("messages", as: [Message].self).map(\.value)
        }
    }

    /// `DoneEvent`.
    struct Done: WireDTO {
        var messageID: String

        init(wire object: WireObject) throws {
            messageID = try object.required("message_id")
        }
    }

    /// `FileInfo`.
    struct File: WireDTO {
        var value: RemoteFile

        init(wire object: WireObject) throws {
            value = RemoteFile(
                ref: try object.required("file_ref"), name: try object.required("name"),
                contentType: try object.required("content_type", as: String.self),
                size: Int64(try object.integer("size")), direction: try object.enumerated("direction", RemoteFile.Direction.self))
        }
    }

    /// `FileList`.
    struct FileList: WireDTO {
        var files: [RemoteFile]

        init(wire object: WireObject) throws {
            files = try object.required("files", as: [File].self).map(\.value)
        }
    }

    /// A data frame cell: text, number, boolean or null.
    struct Cell: WireValue {
        var value: JSONValue

        init(json value: JSONValue) throws(JSONReadError) {
            switch value {
            case .array, .object: throw JSONReadError(.invalid("not a cell"))
            default: self.value = value
            }
        }
    }

    /// `DataFrameSummary`.
    struct FrameSummary: WireDTO {
        var value: DataFrameSummary

        init(wire object: WireObject) throws {
            value = DataFrameSummary(
                name: try object.required("name"), columns: try object.required("columns"),
                rowCount: try object.integer("row_count"),
                samples: try object.required("samples", as: [[Cell]].self).map { $0.map(\.value) })
        }
    }

    /// `DataFrameList`.
    struct FrameList: WireDTO {
        var frames: [DataFrameSummary]

        init(wire object: WireObject) throws {
            frames = try object.required("data_frames", as: [FrameSummary].self)
                .map(\.value)
        }
    }

    /// `DataFrameRows` (`output_format=json`).
    struct FrameRows: WireDTO {
        var value: DataFrameSlice

        init(wire object: WireObject) throws {
            _ = try object.required("name", as: String.self)
            _ = try object.integer("row_count")
            _ = try object.integer("offset")
            value = DataFrameSlice(
                columns: try object.required("columns"),
                rows: try object.required("rows", as: [[Cell]].self).map { $0.map(\.value) })
        }
    }

    /// `CreateConversationRequest`.
    struct CreateBody: Encodable {
        var name: String
    }

    /// `SendMessageRequest`.
    struct ContentBody: Encodable {
        var content: String
    }
}

extension String {
    /// The string, or `nil` when it is empty.
    fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
