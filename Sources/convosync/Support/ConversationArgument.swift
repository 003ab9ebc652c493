import ArgumentParser
import ConvoStore

/// How a command line names a conversation or a message: the remote id (`conv_3f2a…`), or
/// `local:N` for one that exists only in the replica so far (created or sent offline; `N` is
/// the local key `convosync status` and `convosync new` print).
struct ConversationArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The reference the replica and the engine take.
    let ref: ConversationRef

    init?(argument: String) {
        guard let key = LocalKey(argument) else {
            guard !LocalKey.claims(argument), !argument.isEmpty, !argument.contains(where: \.isWhitespace) else { return nil }
            ref = .remote(argument)
            return
        }
        ref = .local(key.value)
    }

    var description: String {
        switch ref {
        case .local(let key): "local:\(key)"
        case .remote(let id): TextLayout.printable(id)
        }
    }

    /// The remote id, for operations that only exist remotely (watch).
    var remoteID: String? {
        if case .remote(let id) = ref { return id }
        return nil
    }
}

/// A message named on the command line, spelled like ``ConversationArgument``.
struct MessageArgument: ExpressibleByArgument, Sendable, CustomStringConvertible {
    /// The reference the engine takes.
    let ref: TurnRef

    init?(argument: String) {
        guard let key = LocalKey(argument) else {
            guard !LocalKey.claims(argument), !argument.isEmpty, !argument.contains(where: \.isWhitespace) else { return nil }
            ref = .remote(argument)
            return
        }
        ref = .local(key.value)
    }

    var description: String {
        switch ref {
        case .local(let key): "local:\(key)"
        case .remote(let id): TextLayout.printable(id)
        }
    }
}

/// `local:N`, a replica's own key.
private struct LocalKey {
    let value: Int64

    /// `nil` for text that is not `local:` followed by a positive number.
    init?(_ text: String) {
        guard text.hasPrefix("local:"), let value = Int64(text.dropFirst("local:".count)), value > 0 else { return nil }
        self.value = value
    }

    /// Whether the text claims to be a local key (and so must parse as one).
    static func claims(_ text: String) -> Bool { text.hasPrefix("local:") }
}
