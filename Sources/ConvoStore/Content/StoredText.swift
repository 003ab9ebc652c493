/// Text as an SQLite TEXT column can keep it.
///
/// GRDB binds a `String` up to its first NUL, so a NUL would silently cut the rest of the
/// text away. Free text (a title, a message, a file's name) keeps every other character and
/// shows U+FFFD where a NUL was; identities (a file's ref, a frame's name) holding NUL are
/// refused instead, since they must reach the remote unchanged. A comparison of remote text
/// with the replica's (`verify`) applies the same rule first.
public enum StoredText {
    /// `text` with each NUL replaced by U+FFFD.
    public static func keepable(_ text: String) -> String {
        text.utf8.contains(0) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
