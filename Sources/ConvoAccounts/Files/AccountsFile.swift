import ConvoModel
import Foundation

/// One named account in `accounts.json`: where it syncs from and into. Never a secret.
public struct AccountEntry: Codable, Sendable, Equatable {
    /// The dialect's base URL, as the platform (or the emulator) prints it.
    public var remote: String
    /// The dialect the remote speaks.
    public var dialect: Dialect
    /// The agents in scope (`v2`, `turns`).
    public var agents: [String]
    /// The replica file; `nil` means the default under `$XDG_DATA_HOME/convosync/`.
    public var db: String?
    /// The credentials file holding its secret; `nil` means the default one.
    public var credentialsFile: String?

    /// An entry for `remote` in `dialect`; `db` and `credentialsFile` `nil` mean the defaults.
    public init(remote: String, dialect: Dialect, agents: [String] = [], db: String? = nil, credentialsFile: String? = nil) {
        self.remote = remote
        self.dialect = dialect
        self.agents = agents
        self.db = db
        self.credentialsFile = credentialsFile
    }

    enum CodingKeys: String, CodingKey {
        case remote, dialect, agents, db
        case credentialsFile = "credentials_file"
    }

    /// Decodes an entry; `agents` may be absent (none).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        remote = try container.decode(String.self, forKey: .remote)
        dialect = try container.decode(Dialect.self, forKey: .dialect)
        agents = try container.decodeIfPresent([String].self, forKey: .agents) ?? []
        db = try container.decodeIfPresent(String.self, forKey: .db)
        credentialsFile = try container.decodeIfPresent(String.self, forKey: .credentialsFile)
    }
}

/// `$XDG_CONFIG_HOME/convosync/accounts.json`: accounts by name.
///
///     {"accounts": {"work": {"remote": "https://api.example.com/v1", "dialect": "agentflow", "agents": []}}}
///
/// A missing file is an empty list; a malformed one is refused (78) and never overwritten.
public struct AccountsFile: Sendable, Equatable {
    /// The accounts by name.
    public var accounts: [String: AccountEntry] = [:]

    /// A list holding `accounts`.
    public init(accounts: [String: AccountEntry] = [:]) {
        self.accounts = accounts
    }

    private struct Document: Codable {
        var accounts: [String: AccountEntry]
    }

    /// Reads the file at `path`; an absent file reads as no accounts.
    /// - Throws: `AccountsError` `.configuration` when the file is not valid, `.ioFailure` when it cannot be read.
    public static func load(from path: String) throws -> AccountsFile {
        guard FileManager.default.fileExists(atPath: path) else { return AccountsFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AccountsError(.ioFailure, "Cannot read the account list '\(path)'; check its permissions.")
        }
        do {
            return AccountsFile(accounts: try JSONDecoder().decode(Document.self, from: data).accounts)
        } catch {
            throw AccountsError(.configuration, "The account list '\(path)' is not valid (expected {\"accounts\": {\"NAME\": {\"remote\", \"dialect\", \"agents\"}}}); fix it or remove it.")
        }
    }

    /// Writes the list atomically (a crash leaves the old file or the new one).
    /// - Throws: `AccountsError` `.cannotCreate` or `.ioFailure`.
    public func save(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(Document(accounts: accounts))
        data.append(UInt8(ascii: "\n"))
        try AtomicFile.write(data, to: path)
    }

    /// Refuses a name that cannot be an account's (it would become a path outside the data folder).
    /// - Throws: `AccountsError` `.configuration`.
    public static func requireValidName(_ name: String) throws {
        guard isValidName(name) else {
            throw AccountsError(.configuration, "'\(PrintableText.of(name))' is not an account name: names take letters, digits, '-', '_' and '.'.")
        }
    }

    /// Whether `name` can name an account: it becomes a file name, so letters, digits,
    /// `-`, `_` and `.` only, not starting with `.`, at most 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix(".") else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
    }
}
