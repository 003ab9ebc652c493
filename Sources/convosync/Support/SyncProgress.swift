import ConvoSync
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows a sync's progress on standard error: one redrawn line with a bar on a terminal,
/// plain lines (at most one every few seconds, and one per new scope) otherwise, so logs
/// stay readable.
struct SyncProgress {
    private let isTerminal: Bool
    private let width: Int
    private let receivedBytes: (@Sendable () -> Int)?
    private var lastDraw: ContinuousClock.Instant?
    private var lastScope: String?
    private var lastPages = 0
    private var drawn = false

    /// A display for standard error, as it is now (a terminal or not).
    /// - Parameter receivedBytes: the live byte count of the connection (`SyncSession.traffic`),
    ///   fresher than the status's; `nil` shows the status's.
    init(receivedBytes: (@Sendable () -> Int)?, environment: [String: String]) {
        isTerminal = isatty(STDERR_FILENO) == 1 && environment["TERM"] != "dumb"
        var size = winsize()
        if isTerminal, ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 20 {
            width = Int(size.ws_col)
        } else {
            width = 80
        }
        self.receivedBytes = receivedBytes
    }

    /// Shows `status` if enough changed or enough time passed since the last line.
    mutating func show(_ status: SyncStatus) {
        guard status.phase != .idle, status.pages > 0 || isTerminal else { return }
        let now = ContinuousClock.now
        let scopeChanged = status.scope != lastScope
        if isTerminal {
            if let lastDraw, now - lastDraw < .milliseconds(100), !scopeChanged { return }
            let line = TextLayout.truncate(describe(status, bar: true), to: width - 1)
            FileHandle.standardError.write(Data("\r\u{1B}[2K\(line)".utf8))
            drawn = true
        } else {
            guard status.pages != lastPages else { return }
            if let lastDraw, now - lastDraw < .seconds(2), !scopeChanged { return }
            printError("convosync: " + describe(status, bar: false))
            lastPages = status.pages
        }
        lastDraw = now
        lastScope = status.scope
    }

    /// Clears the terminal line, so the summary or the error starts on a clean line.
    mutating func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)) }
        drawn = false
    }

    /// "812 B", "4.2 KB", "13.0 MB": received bytes, in decimal units.
    static func byteCount(_ bytes: Int) -> String {
        switch bytes {
        case ..<1000: return "\(bytes) B"
        case ..<1_000_000: return String(format: "%.1f KB", Double(bytes) / 1000)
        case ..<1_000_000_000: return String(format: "%.1f MB", Double(bytes) / 1_000_000)
        default: return String(format: "%.1f GB", Double(bytes) / 1_000_000_000)
        }
    }

    private func describe(_ status: SyncStatus, bar: Bool) -> String {
        var parts: [String] = []
        switch (status.phase, status.scope.map(TextLayout.printable)) {
        case (_, nil): parts.append("connecting")
        case (.sweeping, let scope?): parts.append("checking deletions in \(scope)")
        case (_, let scope?) where scope.hasPrefix("verify:"): parts.append("verifying \(scope.dropFirst("verify:".count))")
        case (_, let scope?): parts.append("syncing \(scope)")
        }
        if let expected = status.expectedConversations, expected > 0 {
            let done = min(status.conversations, expected)
            if bar {
                let cells = 20
                let filled = done * cells / expected
                parts[0] = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: cells - filled) + "] "
                    + "\(done * 100 / expected)% " + parts[0]
            }
            parts.append("\(done)/\(expected) conversations")
        } else {
            parts.append("\(status.conversations) conversations")
        }
        parts.append("\(status.pages) \(status.pages == 1 ? "page" : "pages")")
        parts.append("\(status.conversationsRead) read")
        let bytes = receivedBytes?() ?? status.receivedBytes
        if bytes > 0 { parts.append(Self.byteCount(bytes)) }
        return parts.joined(separator: " · ")
    }
}
