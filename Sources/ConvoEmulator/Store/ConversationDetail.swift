/// A conversation with its messages and their fragments, as the store holds them.
struct ConversationDetail: Sendable, Equatable {
    var conversation: ConversationRecord
    /// Every message, soft-deleted ones included, in ordinal order.
    var messages: [MessageDetail]

    /// Messages that are not soft-deleted.
    var visibleMessages: [MessageDetail] { messages.filter { $0.message.deletedAt == nil } }
}

/// A message with its ordered fragments.
struct MessageDetail: Sendable, Equatable {
    var message: MessageRecord
    var fragments: [FragmentRecord]

    /// The flat text of a message for dialects with one `content` string:
    /// its fragments joined by a blank line.
    var flatContent: String {
        fragments.map(\.content).joined(separator: MessageDetail.fragmentSeparator)
    }

    /// What joins fragments in flat content.
    static let fragmentSeparator = "\n\n"
}
