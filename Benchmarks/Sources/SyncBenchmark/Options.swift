import ConvoModel
import ConvoSync

/// A mode and its `--name value` options, as the script passes them.
struct Options: Sendable {
    let mode: String
    let values: [String: String]

    /// Parses `MODE --name value …`.
    /// - Throws: `BenchmarkFailure` for a name without a value or a word that is not a name.
    init(_ arguments: ArraySlice<String>) throws {
        var rest = arguments
        mode = rest.popFirst() ?? ""
        var values: [String: String] = [:]
        while let name = rest.popFirst() {
            guard name.hasPrefix("--"), let value = rest.popFirst() else {
                throw BenchmarkFailure("expected --name value pairs after the mode, got \(name)")
            }
            values[String(name.dropFirst(2))] = value
        }
        self.values = values
    }

    /// A required option.
    func value(_ name: String) throws -> String {
        guard let value = values[name] else { throw BenchmarkFailure("\(mode) needs --\(name)") }
        return value
    }

    /// A positive number, or `fallback` when absent.
    func int(_ name: String, default fallback: Int) throws -> Int {
        guard let text = values[name] else { return fallback }
        guard let value = Int(text), value > 0 else { throw BenchmarkFailure("--\(name) takes a positive number") }
        return value
    }

    /// `--dialect`.
    func dialect() throws -> Dialect {
        let name = try value("dialect")
        guard let dialect = Dialect(rawValue: name) else { throw BenchmarkFailure("no dialect \(name)") }
        return dialect
    }

    /// The engine's defaults, with `--concurrent-reads` when given.
    func syncConfiguration() throws -> SyncConfiguration {
        var configuration = SyncConfiguration()
        configuration.concurrentReads = try int("concurrent-reads", default: configuration.concurrentReads)
        return configuration
    }

    /// The emulator as `serve` printed it: `--origin`, `--agents A,B,C`, and `--server-pid`.
    func remote() throws -> Remote {
        Remote(
            origin: try value("origin"), agentIDs: try value("agents").split(separator: ",").map(String.init),
            serverPID: values["server-pid"].flatMap { Int32($0) })
    }
}
