import ConvoEmulator
import Foundation
import NIOHTTP1
import Testing
import TestSupport

/// Checks every response the emulator tests receive against its dialect's contract in
/// `Schema/`, and records each ``ContractViolation`` as a test issue.
///
/// The dialect comes from the URL's prefix (`/agentflow/v1`, `/v2/tenants/{t}/api/v2`,
/// `/knowrithm/v1`, `/turns`); the rest of the path is what the contract declares.
/// The admin routes (`/_emulator`) belong to no contract and are not checked.
enum ContractCheck {
    /// The four contracts, loaded once; a contract that cannot load is reported on use.
    static let contracts: [EmulatorDialect: Result<OpenAPIContract, OpenAPIContractError>] = Dictionary(
        uniqueKeysWithValues: EmulatorDialect.allCases.map { dialect in
            (dialect, Result { try OpenAPIContract(dialect: dialect.rawValue) }.mapError { error in
                error as? OpenAPIContractError ?? OpenAPIContractError(code: .unreadable, file: "\(dialect.rawValue).openapi.json")
            })
        })

    /// The dialect of a request path (no origin, query kept) and the path relative to
    /// the dialect's base URL; nil for paths outside every dialect.
    static func locate(_ path: String) -> (dialect: EmulatorDialect, relative: String)? {
        let prefixes: [(EmulatorDialect, String)] = [(.agentflow, "/agentflow/v1"), (.knowrithm, "/knowrithm/v1"), (.turns, "/turns")]
        for (dialect, prefix) in prefixes where path == prefix || path.hasPrefix(prefix + "/") || path.hasPrefix(prefix + "?") {
            return (dialect, String(path.dropFirst(prefix.count)))
        }
        // `/v2/tenants/{tenant}/api/v2...`: the tenant is any one segment.
        if let match = path.prefixMatch(of: /\/v2\/tenants\/[^\/?]+\/api\/v2/) {
            let rest = path[match.range.upperBound...]
            if rest.isEmpty || rest.hasPrefix("/") || rest.hasPrefix("?") { return (.v2, String(rest)) }
        }
        return nil
    }

    /// The path and query of an absolute URL, exactly as sent (percent-encoding kept).
    static func pathAndQuery(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let afterScheme = url[scheme.upperBound...]
        guard let slash = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = String(afterScheme[slash...])
        return String(rest.prefix { $0 != "#" })
    }

    /// The violations of one response, or nil when its URL belongs to no dialect.
    static func violations(
        method: HTTPMethod, url: String, status: Int, headers: HTTPHeaders, body: Data
    ) -> (path: String, violations: [ContractViolation])? {
        guard let (dialect, relative) = locate(pathAndQuery(url)), let loaded = contracts[dialect] else { return nil }
        let contract: OpenAPIContract
        switch loaded {
        case .success(let value): contract = value
        case .failure(let error): return (relative, [ContractViolation(path: "", message: "\(error)")])
        }
        var names: [String: String] = [:]
        for (name, value) in headers {
            names[name, default: ""] += names[name] == nil ? value : ", " + value
        }
        let found = contract.validateResponse(
            method: method.rawValue, path: relative, status: status,
            contentType: headers.first(name: "Content-Type"), body: body, headers: names)
        return ("\(dialect.rawValue) \(relative)", found)
    }

    /// Records every violation of one response as a test issue naming method, path and violation.
    static func record(method: HTTPMethod, url: String, status: Int, headers: HTTPHeaders, body: Data) {
        guard let (path, found) = violations(method: method, url: url, status: status, headers: headers, body: body) else { return }
        for violation in found {
            Issue.record("contract: \(method.rawValue) \(path) → \(status): \(violation)")
        }
    }

    /// The bytes of an event stream up to the end of its last complete event, for a
    /// stream the client stopped reading or that was cut.
    static func completeEvents(_ body: Data) -> Data {
        let bytes = [UInt8](body)
        var index = bytes.count - 1
        while index > 0 {
            if bytes[index] == 0x0A, bytes[index - 1] == 0x0A { return Data(bytes[...index]) }
            index -= 1
        }
        return Data()
    }
}
