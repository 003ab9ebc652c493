import ConvoEmulator
import ConvoModel
import EmulatorSupport
import Foundation

/// What a `convosync sync` child needs to reach an in-process emulator: the account flags,
/// the credential in its environment, and XDG folders of its own (never the user's).
struct SyncSetup {
    /// The test's temp folder.
    let folder: URL

    /// `$XDG_CONFIG_HOME/convosync` for the child.
    var configFolder: URL { folder.appendingPathComponent("config/convosync") }
    /// `$XDG_DATA_HOME/convosync` for the child.
    var dataFolder: URL { folder.appendingPathComponent("data/convosync") }
    /// `$XDG_STATE_HOME/convosync` for the child: where a daemon's status file goes.
    var stateFolder: URL { folder.appendingPathComponent("state/convosync") }

    /// XDG folders inside the temp folder, and no credential or account inherited from
    /// the environment the tests run in.
    var baseEnvironment: [String: String] {
        [
            "XDG_CONFIG_HOME": folder.appendingPathComponent("config").path,
            "XDG_DATA_HOME": folder.appendingPathComponent("data").path,
            "XDG_STATE_HOME": folder.appendingPathComponent("state").path,
            "CONVOSYNC_API_KEY": "", "CONVOSYNC_API_SECRET": "", "CONVOSYNC_ACCOUNT": "",
        ]
    }

    /// `baseEnvironment` with the emulator's credential for `dialect`.
    func environment(_ dialect: Dialect, on emulator: RunningEmulator) -> [String: String] {
        var environment = baseEnvironment
        environment["CONVOSYNC_API_KEY"] = emulator.emulator.configuration.apiKey
        if dialect == .knowrithm { environment["CONVOSYNC_API_SECRET"] = emulator.emulator.configuration.apiSecret }
        return environment
    }

    /// `--remote URL --dialect D`, and `--agent` for each seeded agent where the dialect
    /// cannot list across agents without them (`turns`; `v2` discovers its own).
    static func accountArguments(_ dialect: Dialect, on emulator: RunningEmulator) throws -> [String] {
        var arguments = ["--remote", emulator.baseURL(try requireDialect(dialect)), "--dialect", dialect.rawValue]
        if dialect == .turns {
            for agent in emulator.addresses.agentIDs { arguments += ["--agent", agent] }
        }
        return arguments
    }

    /// The `id` of every line `convosync export` printed.
    static func exportedIDs(_ output: String) throws -> [String] {
        try output.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard let id = object?["id"] as? String else { throw HarnessError("an export line has no id") }
            return id
        }
    }
}
