import ConvoModel
import Foundation

/// The remote a replica belongs to: base URL, dialect, tenant, the agents in scope and the
/// credentials. One replica file belongs to exactly one account (DESIGN "Data model").
///
///     let account = RemoteAccount(baseURL: url, dialect: .v2, tenant: "acme",
///                                 agentIDs: ["agent_support"], credentials: .bearer(token))
///
/// Its `description` shows base URL, dialect and tenant, and the credentials as `***`.
public struct RemoteAccount: Sendable, CustomStringConvertible {
    /// The dialect's base URL; routes are appended to it (DIALECTS "Base URLs").
    public var baseURL: URL
    /// Which of the four APIs the remote speaks.
    public var dialect: Dialect
    /// The tenant, where the dialect has one in its base URL or credentials (`v2`), else `nil`.
    public var tenant: String?
    /// The agents whose conversations are synced (`v2`, `turns` list per agent); empty
    /// means "all the credentials see" where the dialect lists across agents or discovers them.
    public var agentIDs: [String]
    /// What the account authenticates with; prints as `***`.
    public var credentials: Credentials

    /// Makes an account.
    public init(baseURL: URL, dialect: Dialect, tenant: String? = nil, agentIDs: [String] = [], credentials: Credentials) {
        self.baseURL = baseURL
        self.dialect = dialect
        self.tenant = tenant
        self.agentIDs = agentIDs
        self.credentials = credentials
    }

    /// Base URL, dialect and tenant; never the credentials.
    public var description: String {
        "RemoteAccount(\(dialect.rawValue), \(Origin(baseURL)?.description ?? "invalid base URL")\(baseURL.path)"
            + (tenant.map { ", tenant \($0)" } ?? "") + ", credentials ***)"
    }
}
