/// The four platform APIs the emulator speaks, each under its own path prefix.
public enum EmulatorDialect: String, Sendable, CaseIterable, Codable {
    case agentflow, v2, knowrithm, turns

    /// The dialect's base path for `tenant`, appended to the server's origin.
    ///
    ///     EmulatorDialect.v2.basePath(tenant: "acme")  // "/v2/tenants/acme/api/v2"
    public func basePath(tenant: String) -> String {
        switch self {
        case .agentflow: return "/agentflow/v1"
        case .v2: return "/v2/tenants/\(tenant)/api/v2"
        case .knowrithm: return "/knowrithm/v1"
        case .turns: return "/turns"
        }
    }
}
