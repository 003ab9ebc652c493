/// Why an account could not be read, resolved, written or run: one sentence saying what to
/// fix, and a code to match on.
///
///     do { _ = try AccountRequest(account: "work").resolve(environment: environment) }
///     catch let error as AccountsError where error.code == .configuration { print(error.message) }
///
/// Messages name files and accounts, never a secret or a full remote URL (it may hold a
/// pasted password).
public struct AccountsError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a caller acts on it.
    public enum Code: String, Sendable, Hashable {
        /// Something to fix in the account list, the credentials file, the environment or the
        /// request: an unknown account, a missing remote, dialect, replica or credential, a
        /// bad URL, a credentials file others may read.
        case configuration
        /// A folder or file could not be created (permissions).
        case cannotCreate
        /// Reading or writing a file failed (a full disk, an unreadable file).
        case ioFailure
    }

    /// What went wrong.
    public let code: Code
    /// One sentence: what happened and what to do.
    public let message: String

    /// Makes an error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message: it holds no secret, so it may be shown and logged.
    public var description: String { message }
}
