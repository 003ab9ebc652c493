import Foundation

/// The opaque cursors the query API hands out: base64url of a small JSON object.
///
/// They are not secret, only opaque: a cursor that does not decode, or was made for
/// another sort, is refused with ``StoreError/Code/invalidQuery`` rather than guessed at.
struct PageCursor: Codable, Hashable, Sendable {
    /// What the cursor pages through ("turns" or a ``ConversationSort`` raw value).
    var kind: String
    /// The last row's integer sort key, for time and ordinal sorts.
    var number: Int64?
    /// The last row's text sort key, for the title sort.
    var text: String?
    /// The last row's local key (the tie-breaker).
    var id: Int64

    enum CodingKeys: String, CodingKey {
        case kind = "k"
        case number = "n"
        case text = "t"
        case id = "i"
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(self)) ?? Data()
        return data.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes `text`, requiring the given kind.
    static func decode(_ text: String, kind: String) throws -> PageCursor {
        let invalid = StoreError(.invalidQuery, "the cursor is not one this replica issued for this query")
        guard text.utf8.count <= 4096 else { throw invalid }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
            let cursor = try? JSONDecoder().decode(PageCursor.self, from: data),
            cursor.kind == kind
        else { throw invalid }
        return cursor
    }
}
