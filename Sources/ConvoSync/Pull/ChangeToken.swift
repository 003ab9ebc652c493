import ConvoModel
import ConvoRemote
import Foundation

/// What tells the engine a conversation's turns changed since it last read them (DESIGN
/// "Change detection"): its update time and message count where the dialect gives them, a
/// hash of the listed turns where the listing carries them, nothing where neither exists
/// (v2: the messages' tail is re-read instead).
enum ChangeToken {
    /// The token for a listed conversation, or `nil` when the dialect gives no way to tell.
    static func of(_ snapshot: ConversationSnapshot, capabilities: RemoteCapabilities) -> String? {
        if let turns = snapshot.turns { return contentHash(turns) }
        guard capabilities.updateTimes, let updatedAt = snapshot.conversation.updatedAt else { return nil }
        let count = snapshot.conversation.messageCount.map(String.init) ?? "?"
        let deleted = snapshot.conversation.deletedAt.map { String(Timestamp.milliseconds($0)) } ?? "-"
        return "u:\(Timestamp.milliseconds(updatedAt)):\(count):\(deleted)"
    }

    /// A stable 64-bit FNV-1a hash of every field of every turn, prefixed `h:`.
    static func contentHash(_ turns: [Turn]) -> String {
        var hasher = StableHasher()
        for turn in turns {
            hasher.add(turn.id)
            hasher.add(turn.role.rawValue)
            hasher.add(turn.timestamp.map { String(Timestamp.milliseconds($0)) })
            hasher.add(turn.state?.rawValue)
            hasher.add(turn.errorDetail)
            hasher.add(turn.inReplyTo)
            hasher.add(turn.deletedAt.map { String(Timestamp.milliseconds($0)) })
            for fragment in turn.fragments {
                hasher.add(fragment.kind.rawValue)
                hasher.add(fragment.content)
                hasher.add(fragment.state?.rawValue)
                hasher.add(fragment.metadata?.canonicalText)
            }
            hasher.add("\u{1E}")
        }
        return "h:" + String(hasher.value, radix: 16)
    }
}

/// FNV-1a over UTF-8 with a separator after each field, so ("ab", "c") and ("a", "bc") differ;
/// the same on every run and platform (unlike `Hasher`).
struct StableHasher {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(_ string: String?) {
        if let string {
            for byte in string.utf8 { mix(byte) }
            mix(0x1F)
        } else {
            mix(0x1D)
        }
    }

    private mutating func mix(_ byte: UInt8) {
        value ^= UInt64(byte)
        value &*= 0x0000_0100_0000_01B3
    }
}
