import ConvoAccounts
import ConvoStore
import ConvoSync

extension CommandFailure {
    /// The sentence and sysexits status for a failed sync: what happened and what to do.
    ///
    /// 69 unreachable, 75 rate limited past the retry budget or cancelled, 77 credentials
    /// refused or a TLS handshake that failed (the server's identity cannot be trusted: a
    /// refusal on security grounds, like a refused credential, that no retry and no flag
    /// typo fix explains away; 78 stays for what is wrong in the flags or config files), 78 a wrong account (URL, dialect, agents), 76 a remote answer that cannot be
    /// used, and the replica's own statuses (65, 74, 75) for replica failures.
    /// - Parameter remote: the account, to name it in the sentence.
    init(_ error: SyncError, remote: ResolvedAccount?) {
        let label = remote?.label ?? "the remote"
        let host = remote?.remote.baseURL.host.map { " at \($0)" } ?? ""
        if let failure = error.remote, failure.code == .tls {
            let name = remote?.remote.baseURL.host.map(TextLayout.printable) ?? "the remote"
            self.init(
                "TLS handshake with \(name) failed: \(failure.detail ?? "the handshake was refused"); check that --remote is the platform's https URL and that its certificate is trusted by this machine.",
                exitCode: SysExits.noPermission)
            return
        }
        switch error.code {
        case .offline:
            if let status = error.remote?.status {
                self.init(
                    "The remote\(host) kept failing (HTTP \(status)) after every retry; try again later.",
                    exitCode: SysExits.unavailable)
            } else {
                self.init(
                    "Cannot reach the remote\(host); check --remote and your network, then try again.",
                    exitCode: SysExits.unavailable)
            }
        case .rateLimited:
            let wait = error.retryAfter.map { " in \($0.components.seconds) s" } ?? " later"
            self.init(
                "The remote\(host) kept rate limiting past the retry budget; try again\(wait).",
                exitCode: SysExits.temporaryFailure)
        case .unauthorized:
            if error.remote?.code == .forbidden {
                self.init(
                    "The remote refused access for \(label) (403); check what its credential may read.",
                    exitCode: SysExits.noPermission)
            } else {
                self.init(
                    "The remote refused the credential of \(label) (401); check CONVOSYNC_API_KEY or store a new one with 'convosync accounts add'.",
                    exitCode: SysExits.noPermission)
            }
        case .misconfigured:
            switch error.remote?.code {
            case .routeNotFound?:
                self.init(
                    "The remote URL of \(label) does not serve the \(remote?.remote.dialect.rawValue ?? "chosen") dialect (no such route); check --remote and --dialect.",
                    exitCode: SysExits.configuration)
            case .insecureTransport?:
                self.init(
                    "Plain http is allowed only to this machine (loopback); use an https remote URL.",
                    exitCode: SysExits.configuration)
            case .redirectRefused?:
                self.init(
                    "The remote URL of \(label) redirects somewhere convosync will not follow; use the URL it moved to.",
                    exitCode: SysExits.configuration)
            case .notFound?:
                self.init("The remote does not know an agent of \(label); check --agent.", exitCode: SysExits.configuration)
            default:
                self.init("The account is misconfigured: \(error.message); check \(label).", exitCode: SysExits.configuration)
            }
        case .replica:
            if let store = error.store {
                self.init(store)
            } else {
                self.init("The replica failed: \(error.message).", exitCode: SysExits.ioError)
            }
        case .cancelled:
            self.init(
                "The sync was cancelled; the replica is consistent and the next sync resumes where this one stopped.",
                exitCode: SysExits.temporaryFailure)
        case .remote where error.remote?.code == .responseTooLarge:
            self.init(
                "\(error.message.prefixCapitalized); nothing of it was kept.", exitCode: SysExits.protocolError)
        case .unsupported:
            self.init("The remote's dialect cannot do this: \(error.message).", exitCode: SysExits.unavailable)
        default:
            self.init(
                "The remote answered something convosync cannot use (\(error.remote?.description ?? error.message)); try again later, and report it if it persists.",
                exitCode: SysExits.protocolError)
        }
    }
}
