import Foundation

/// Where convosync keeps its files on Linux, after the XDG Base Directory specification:
/// the account list and credentials under `$XDG_CONFIG_HOME/convosync/`, replicas under
/// `$XDG_DATA_HOME/convosync/`, the daemon's status file under `$XDG_STATE_HOME/convosync/`.
///
/// An unset, empty or relative `XDG_*` value is ignored (the specification says such a
/// path is invalid) and the default under `$HOME` is used.
///
///     let paths = try XDGPaths(environment: ProcessInfo.processInfo.environment)
///     paths.accountsFile     // ~/.config/convosync/accounts.json
///     paths.defaultReplica(account: "work")  // ~/.local/share/convosync/work.convosync
public struct XDGPaths: Sendable, Equatable {
    /// `$XDG_CONFIG_HOME/convosync`.
    public let configFolder: String
    /// `$XDG_DATA_HOME/convosync`.
    public let dataFolder: String
    /// `$XDG_STATE_HOME/convosync`: state that outlives a run but is no data (the daemon's status).
    public let stateHome: String

    /// The paths for `environment`.
    /// - Throws: `AccountsError` `.configuration` when neither an absolute `XDG_*` value nor `HOME` is set.
    public init(environment: [String: String]) throws {
        func base(_ variable: String, default relative: String) throws -> String {
            if let value = environment[variable], value.hasPrefix("/") { return value }
            guard let home = environment["HOME"], home.hasPrefix("/") else {
                throw AccountsError(.configuration, "Neither \(variable) nor HOME is set to an absolute path, so convosync cannot find its files; set HOME.")
            }
            return (home as NSString).appendingPathComponent(relative)
        }
        configFolder = (try base("XDG_CONFIG_HOME", default: ".config") as NSString).appendingPathComponent("convosync")
        dataFolder = (try base("XDG_DATA_HOME", default: ".local/share") as NSString).appendingPathComponent("convosync")
        stateHome = (try base("XDG_STATE_HOME", default: ".local/state") as NSString).appendingPathComponent("convosync")
    }

    /// `accounts.json`: the named accounts (no secrets).
    public var accountsFile: String { (configFolder as NSString).appendingPathComponent("accounts.json") }

    /// `credentials.json`: each account's secret, readable only by its owner.
    public var credentialsFile: String { (configFolder as NSString).appendingPathComponent("credentials.json") }

    /// `status.json`: what a running daemon reports per account (``DaemonStatus``); `convosync status` reads it.
    public var statusFile: URL { URL(fileURLWithPath: (stateHome as NSString).appendingPathComponent("status.json")) }

    /// The replica an account uses when it names no `db`.
    public func defaultReplica(account name: String) -> String {
        (dataFolder as NSString).appendingPathComponent("\(name).convosync")
    }
}
