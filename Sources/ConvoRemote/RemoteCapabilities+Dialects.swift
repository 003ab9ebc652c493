import ConvoModel

extension RemoteCapabilities {
    /// What each dialect can do, as DIALECTS.md documents it; each adapter reports these.
    ///
    ///     let strategy = RemoteCapabilities.of(.knowrithm).deletedListing ? ... : ...
    public static func of(_ dialect: Dialect) -> RemoteCapabilities {
        switch dialect {
        case .agentflow:
            RemoteCapabilities(
                paging: .cursor, reportsTotals: true, updateTimes: true, softDeletes: false, deletedListing: false,
                watchStream: true, listsPerAgent: false, agentListing: true, conversationRead: true, pagedTurns: false,
                files: false, dataFrames: false, streamingReplies: true,
                writes: [.createConversation, .sendMessage, .renameConversation, .generateTitle, .deleteConversation, .cancelRun],
                listsRecentlyUpdatedFirst: true)
        case .v2:
            RemoteCapabilities(
                paging: .cursor, reportsTotals: false, updateTimes: false, softDeletes: false, deletedListing: false,
                watchStream: false, listsPerAgent: true, agentListing: true, conversationRead: true, pagedTurns: true,
                files: true, dataFrames: true, streamingReplies: true,
                writes: [.createConversation, .sendMessage, .deleteConversation, .uploadFiles])
        case .knowrithm:
            RemoteCapabilities(
                paging: .pageNumber, reportsTotals: true, updateTimes: true, softDeletes: true, deletedListing: true,
                watchStream: false, listsPerAgent: false, agentListing: false, conversationRead: true, pagedTurns: true,
                files: false, dataFrames: false, streamingReplies: true,
                writes: [
                    .createConversation, .sendMessage, .deleteConversation, .restoreConversation, .deleteMessage,
                    .restoreMessage, .deleteAllMessages, .restoreAllMessages,
                ])
        case .turns:
            RemoteCapabilities(
                paging: .offset, reportsTotals: true, updateTimes: false, softDeletes: false, deletedListing: false,
                watchStream: false, listsPerAgent: true, agentListing: false, conversationRead: false, pagedTurns: false,
                files: false, dataFrames: false, streamingReplies: false, writes: [])
        }
    }
}
