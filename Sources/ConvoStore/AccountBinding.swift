import ConvoModel

/// The remote account a replica belongs to: one base URL, one tenant, one dialect.
///
/// A replica is bound to its account when created; opening it for another account
/// fails with ``StoreError/Code/accountMismatch`` (DESIGN, "Data model").
///
///     let account = AccountBinding(baseURL: "https://api.example.com/v1", dialect: .agentflow)
public struct AccountBinding: Sendable, Hashable, Codable {
    /// The dialect's base URL, without credentials. A trailing `/` is ignored.
    public var baseURL: String
    /// The tenant, for dialects that have one (`v2`); `nil` otherwise.
    public var tenant: String?
    /// The API the account speaks.
    public var dialect: Dialect

    /// Makes a binding; `baseURL` is normalised by dropping trailing slashes.
    public init(baseURL: String, tenant: String? = nil, dialect: Dialect) {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.tenant = tenant
        self.dialect = dialect
    }
}
