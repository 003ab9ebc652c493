/// Which remote identifiers the replica stores (conversation, turn, agent, file and frame ids).
///
/// An id is a key: stored cut at a NUL, or folded into another by a lossy encoding, it would
/// merge two remote items into one row. So an id is refused whole, never repaired: empty, longer
/// than ``maxBytes`` in UTF-8, or holding a control character (U+0000–U+001F, U+007F–U+009F).
/// The item that carries it is skipped and counted; the rest of its page is applied.
///
///     guard RemoteID.isStorable(turn.id) else { refused += 1; continue }
public enum RemoteID {
    /// The longest id stored, in UTF-8 bytes.
    public static let maxBytes = 1024

    /// Whether `id` may be stored as a key.
    public static func isStorable(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard !utf8.isEmpty, utf8.count <= maxBytes else { return false }
        // The control characters (general category Cc) in UTF-8: the bytes 00–1F and 7F, and
        // C2 80–C2 9F. Read as bytes: every id of every page passes here.
        var previous: UInt8 = 0
        for byte in utf8 {
            if byte < 0x20 || byte == 0x7F || (previous == 0xC2 && byte < 0xA0) { return false }
            previous = byte
        }
        return true
    }
}
