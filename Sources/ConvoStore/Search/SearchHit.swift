/// One search result: a conversation's title or one text fragment of one of its turns.
public struct SearchHit: Sendable, Hashable {
    /// The conversation's remote id (empty for a conversation that exists only locally).
    public var conversationID: String
    /// The conversation's local key.
    public var conversationLocalID: Int64
    /// The turn's remote id; `nil` when the title matched.
    public var turnID: String?
    /// The conversation's title.
    public var title: String?
    /// The matching text around the match, matched words wrapped in the markers.
    public var snippet: String
    /// The bm25 score: **lower is better** (SQLite's scores are negative; results come best first).
    public var rank: Double
}

/// How ``Replica/search(_:filters:limit:markers:)`` marks matched words in snippets.
///
///     SnippetMarkers(open: "\u{1B}[1m", close: "\u{1B}[0m")  // bold in a terminal
public struct SnippetMarkers: Sendable, Hashable {
    /// Put before a matched word.
    public var open: String
    /// Put after a matched word.
    public var close: String
    /// Put where the snippet cuts text.
    public var ellipsis: String

    /// Makes markers.
    public init(open: String, close: String, ellipsis: String = "…") {
        self.open = open
        self.close = close
        self.ellipsis = ellipsis
    }

    /// `[` and `]`, the default.
    public static let brackets = SnippetMarkers(open: "[", close: "]")
}
