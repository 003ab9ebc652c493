import Foundation

/// One way a request or response departs from a dialect's OpenAPI contract.
///
/// `path` is a JSON pointer into the body (`/conversations/3/updated_at`, `""` for the
/// body or the response as a whole), or names a query parameter (`?limit`), a path
/// parameter (`{id}`) or a header (`header Retry-After`).
///
///     let violations = contract.validateResponse(method: "GET", path: "/conversations", status: 200,
///                                                contentType: "application/json", body: data)
///     // ["/conversations/3/updated_at: expected string, got null"]
public struct ContractViolation: Sendable, Hashable, CustomStringConvertible {
    /// Where the violation is: a JSON pointer, `?name`, `{name}` or `header Name`.
    public var path: String
    /// What is wrong, in words.
    public var message: String

    /// Creates a violation at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`, or just the message for the whole body.
    public var description: String {
        path.isEmpty ? message : "\(path): \(message)"
    }
}

/// Why an OpenAPI contract could not be loaded.
///
/// Validation never throws: a request or response that breaks the contract yields
/// ``ContractViolation``s. This error is for a contract file that is missing or not
/// an OpenAPI document.
public struct OpenAPIContractError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Hashable {
        /// The file could not be read.
        case unreadable
        /// The file is not a JSON object with `openapi` and `paths`.
        case notAnOpenAPIDocument
    }

    /// What went wrong.
    public let code: Code
    /// The contract file's name (not its full path).
    public let file: String

    /// Creates an error for `file`.
    public init(code: Code, file: String) {
        self.code = code
        self.file = file
    }

    /// The code and the file's name.
    public var description: String {
        switch code {
        case .unreadable: "cannot read contract \(file)"
        case .notAnOpenAPIDocument: "contract \(file) is not an OpenAPI JSON document"
        }
    }
}
