import Foundation

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
        containsNUL(text) ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }

    /// Whether `text` holds a NUL: `memchr` over native strings' contiguous bytes, since every
    /// message and fragment written is checked (a byte-by-byte scan was 2 % of a page write).
    private static func containsNUL(_ text: String) -> Bool {
        let found = text.utf8.withContiguousStorageIfAvailable { bytes in
            guard let start = bytes.baseAddress else { return false }
            return memchr(start, 0, bytes.count) != nil
        }
        return found ?? text.utf8.contains(0)
    }
}
