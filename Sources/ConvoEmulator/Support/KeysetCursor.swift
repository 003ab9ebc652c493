import Foundation

/// An opaque keyset paging token: the sort key of the last item returned plus a version,
/// a scope tag, the cursor generation and where in its listing sequence it leads,
/// base64url-encoded. It stays valid while data changes, until the generation changes.
///
/// Clients never parse it; anything that does not decode to this dialect's token is
/// refused with `invalid_request`.
struct KeysetCursor: Equatable {
    /// A sort key: a time (or ordinal) and an id.
    struct Key: Equatable, Sendable {
        var time: Int64
        var id: String
    }

    /// What the token pages: it is refused on any other listing.
    var scope: String
    var key: Key
    /// The cursor generation it was issued under (``FaultConfiguration/cursorGeneration``).
    var generation = 0
    /// The index of the page it leads to (the first page, reached without a token, is 0).
    var page = 1
    /// The key of the first page's next token, carried from page index 2 on (cursor cycles).
    var first: Key?

    var time: Int64 { key.time }
    var id: String { key.id }

    private static let version: Int64 = 1

    init(scope: String, key: Key, generation: Int = 0, page: Int = 1, first: Key? = nil) {
        self.scope = scope
        self.key = key
        self.generation = generation
        self.page = page
        self.first = first
    }

    init(scope: String, time: Int64, id: String) {
        self.init(scope: scope, key: Key(time: time, id: id))
    }

    /// The token.
    func encoded() -> String {
        var members: [(String, JSON)] = [
            ("v", .int(Self.version)), ("s", .string(scope)), ("t", .int(key.time)), ("i", .string(key.id)),
            ("g", .int(Int64(generation))), ("p", .int(Int64(page))),
        ]
        if let first { members += [("ft", .int(first.time)), ("fi", .string(first.id))] }
        return JSON.object(members).serialized().base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// A well-formed token of another cursor generation.
    struct Expired: Error {
        var issued: Int64
        var now: Int

        /// The documented answer: 400 `invalid_request`, saying the cursor expired.
        var error: EmulatorError {
            EmulatorError(.invalidRequest, "the paging token has expired (cursor generation \(issued), now \(now)); start the listing again")
        }
    }

    /// Decodes a token made for `scope` under cursor generation `generation`.
    ///
    /// - Throws: `invalid_request` for anything else; ``Expired`` for a token of another generation.
    static func decode(_ token: String, scope: String, generation: Int = 0) throws -> KeysetCursor {
        let invalid = EmulatorError(.invalidRequest, "the paging token is not valid")
        guard token.utf8.count <= 1024,
              token.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { throw invalid }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let json = try? JSON.parse(data),
              json["v"]?.intValue == version,
              json["s"]?.stringValue == scope,
              let time = json["t"]?.intValue,
              let id = json["i"]?.stringValue,
              let issued = json["g"]?.intValue,
              let page = json["p"]?.intValue, page >= 1, page <= Int64(Int32.max)
        else { throw invalid }
        guard issued == Int64(generation) else {
            throw Expired(issued: issued, now: generation)
        }
        var first: Key?
        if let firstTime = json["ft"]?.intValue, let firstID = json["fi"]?.stringValue {
            first = Key(time: firstTime, id: firstID)
        }
        return KeysetCursor(scope: scope, key: Key(time: time, id: id), generation: generation, page: Int(page), first: first)
    }
}
