import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One account's secret as the credentials file holds it.
public struct StoredCredential: Codable, Sendable, Equatable {
    /// The API key or bearer token.
    public var apiKey: String?
    /// knowrithm's API secret.
    public var apiSecret: String?

    /// A credential with `apiKey` and, for knowrithm, `apiSecret`.
    public init(apiKey: String? = nil, apiSecret: String? = nil) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
    }

    enum CodingKeys: String, CodingKey {
        case apiKey = "api_key"
        case apiSecret = "api_secret"
    }
}

/// `$XDG_CONFIG_HOME/convosync/credentials.json` (or `--credentials-file`): secrets by
/// account name, in a file only its owner may read.
///
///     {"work": {"api_key": "…"}, "kr": {"api_key": "…", "api_secret": "…"}}
///
/// The entry `default` serves a command that names no account. A file that its group or
/// others may access, or that another user owns, is refused before it is read. It is always
/// written 0600, atomically. Nothing here ever prints a secret.
public struct CredentialsFile: Sendable {
    /// The secrets by account name.
    public var entries: [String: StoredCredential] = [:]

    /// A file holding `entries`.
    public init(entries: [String: StoredCredential] = [:]) {
        self.entries = entries
    }

    /// The entry a command without `--account` uses.
    public static let defaultEntry = "default"

    /// Reads the file at `path`; an absent file reads as empty.
    /// - Throws: `AccountsError` `.configuration` when the file is group- or world-accessible, owned by
    ///   another user or not valid; `.ioFailure` when it cannot be read.
    public static func load(from path: String) throws -> CredentialsFile {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return CredentialsFile() }
            throw AccountsError(.ioFailure, "Cannot read the credentials file '\(path)' (\(describeErrno(errno))).")
        }
        if info.st_mode & 0o077 != 0 {
            throw AccountsError(.configuration, "The credentials file '\(path)' can be read by other users, so it was not used; run 'chmod 600 \(path)' and try again.")
        }
        if info.st_uid != geteuid() {
            throw AccountsError(.configuration, "The credentials file '\(path)' belongs to another user, so it was not used; use a file of your own.")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AccountsError(.ioFailure, "Cannot read the credentials file '\(path)'; check its permissions.")
        }
        guard let entries = try? JSONDecoder().decode([String: StoredCredential].self, from: data) else {
            throw AccountsError(.configuration, "The credentials file '\(path)' is not valid (expected {\"NAME\": {\"api_key\": \"...\"}}); fix it or remove it.")
        }
        return CredentialsFile(entries: entries)
    }

    /// Writes the file atomically with mode 0600.
    /// - Throws: `AccountsError` `.cannotCreate` or `.ioFailure`.
    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(entries)
        data.append(UInt8(ascii: "\n"))
        try AtomicFile.write(data, to: path)
    }
}
