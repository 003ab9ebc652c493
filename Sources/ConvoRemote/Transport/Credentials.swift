/// The secret an account authenticates with. It prints as `***` everywhere (`description`,
/// `debugDescription`, `dump`), so it never reaches a log line or an error by accident.
///
///     let credentials = Credentials.bearer(token)                    // agentflow, v2, turns
///     let credentials = Credentials.apiKey(key, secret: secret)      // knowrithm
public struct Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    enum Storage: Sendable {
        case bearer(String)
        case apiKey(String, secret: String)
    }
    let storage: Storage

    /// `Authorization: Bearer <token>`.
    public static func bearer(_ token: String) -> Credentials { Credentials(storage: .bearer(token)) }

    /// `X-API-Key` and `X-API-Secret` (knowrithm).
    public static func apiKey(_ key: String, secret: String) -> Credentials {
        Credentials(storage: .apiKey(key, secret: secret))
    }

    /// The header fields that carry the credentials.
    var headerFields: [(name: String, value: String)] {
        switch storage {
        case .bearer(let token): [("Authorization", "Bearer \(token)")]
        case .apiKey(let key, let secret): [("X-API-Key", key), ("X-API-Secret", secret)]
        }
    }

    /// Header names that carry a credential in any dialect (lowercased): never sent to
    /// another origin.
    static let headerNames: Set<String> = ["authorization", "x-api-key", "x-api-secret", "cookie", "proxy-authorization"]

    /// Always `***`.
    public var description: String { "***" }
    /// Always `***`.
    public var debugDescription: String { "***" }
    /// No children: `dump` shows nothing of the secret.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
