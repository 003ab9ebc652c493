import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation

/// Everything a networked command needs, resolved from flags, the environment and the
/// config files: the replica file, the remote account with its credentials, and the binding
/// the replica must carry.
public struct ResolvedAccount: Sendable {
    /// The account's name, when one was named (`--account` or `CONVOSYNC_ACCOUNT`).
    public let name: String?
    /// The replica file.
    public let replicaPath: String
    /// Whether the replica lives in convosync's data folder, which is created when missing.
    public let usesDataFolder: Bool
    /// The remote, with credentials (which print as `***`).
    public let remote: RemoteAccount

    /// The account the replica is bound to (DESIGN "Data model": base URL, tenant, dialect).
    public var binding: AccountBinding {
        AccountBinding(baseURL: remote.baseURL.absoluteString, tenant: remote.tenant, dialect: remote.dialect)
    }

    /// How messages name it: `account 'work'`, or the remote's host and dialect.
    public var label: String {
        if let name { return "account '\(name)'" }
        return "the \(remote.dialect.rawValue) remote at \(remote.baseURL.host ?? "?")"
    }
}
