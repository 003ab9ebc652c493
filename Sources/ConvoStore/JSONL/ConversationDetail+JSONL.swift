extension ConversationDetail {
    /// The conversation as one line of the JSONL export format (see ``Replica/export(to:)``),
    /// without its line terminator: what `convosync show --json` prints.
    ///
    /// - Throws: an `EncodingError` only for a non-finite number in metadata.
    public func exportLine() throws -> String {
        try JSONLCodec.encode(JSONLConversation(summary.conversation, turns: turns))
    }
}
