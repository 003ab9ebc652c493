import ConvoModel
import Foundation

/// A dialect's base URL checked before anything connects: http or https with a host, no
/// credentials, query or fragment, and for `v2` the tenant read from its path
/// (`…/tenants/{tenant}/api/v2`, DIALECTS "Base URLs").
public struct RemoteLocation: Sendable, Equatable {
    /// The base URL, trailing slashes removed.
    public let url: URL
    /// The tenant, for `v2`; `nil` for the other dialects.
    public let tenant: String?

    /// Parses `text` as `dialect`'s base URL. Errors never repeat the URL: it may hold a
    /// password someone pasted into it.
    /// - Throws: `AccountsError` `.configuration` naming what is wrong with it.
    public init(_ text: String, dialect: Dialect) throws {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty
        else {
            throw AccountsError(.configuration, "The remote URL is not an http or https URL with a host; pass the dialect's base URL, e.g. https://api.example.com/v1.")
        }
        guard url.user == nil, url.password == nil else {
            throw AccountsError(.configuration, "The remote URL must not hold credentials; set CONVOSYNC_API_KEY instead.")
        }
        guard url.query == nil, url.fragment == nil else {
            throw AccountsError(.configuration, "The remote URL must be the dialect's base URL, without a query or fragment.")
        }
        var tenant: String?
        if dialect == .v2 {
            let components = url.path.split(separator: "/").map(String.init)
            guard components.count >= 4, components[components.count - 4] == "tenants",
                components[components.count - 2] == "api", components[components.count - 1] == "v2"
            else {
                throw AccountsError(.configuration, "A v2 remote URL ends in /tenants/TENANT/api/v2 (the tenant is part of it); check --remote.")
            }
            tenant = components[components.count - 3]
        }
        self.url = url
        self.tenant = tenant
    }
}
