import Foundation

/// An opaque keyset paging token: the sort key of the last item returned plus a version
/// and a scope tag, base64url-encoded. It stays valid while data changes.
///
/// Clients never parse it; anything that does not decode to this dialect's token is
/// refused with `invalid_request`.
struct KeysetCursor: Equatable {
    /// What the token pages: it is refused on any other listing.
    var scope: String
    var time: Int64
    var id: String

    private static let version: Int64 = 1

    /// The token.
    func encoded() -> String {
        let json = JSON.object([("v", .int(Self.version)), ("s", .string(scope)), ("t", .int(time)), ("i", .string(id))])
        return json.serialized().base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Decodes a token made for `scope`.
    ///
    /// - Throws: `invalid_request` for anything else.
    static func decode(_ token: String, scope: String) throws -> KeysetCursor {
        let invalid = EmulatorError(.invalidRequest, "the paging token is not valid")
        guard token.utf8.count <= 512,
              token.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { throw invalid }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64),
              let json = try? JSON.parse(data),
              json["v"]?.intValue == version,
              json["s"]?.stringValue == scope,
              let time = json["t"]?.intValue,
              let id = json["i"]?.stringValue
        else { throw invalid }
        return KeysetCursor(scope: scope, time: time, id: id)
    }
}
