import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Asks for a secret on the terminal with echo off, so it never shows on screen, in the
/// shell's history or in `ps`.
enum SecretPrompt {
    /// Whether standard input is a terminal a person can type into.
    static var isAvailable: Bool { isatty(STDIN_FILENO) == 1 }

    /// Prints `prompt` on standard error and reads one line from standard input with echo
    /// off; echo is restored even when reading fails. Returns `nil` at end of input.
    static func read(_ prompt: String) -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        var original = termios()
        let canHide = tcgetattr(STDIN_FILENO, &original) == 0
        if canHide {
            var hidden = original
            hidden.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &hidden)
        }
        defer {
            if canHide { _ = tcsetattr(STDIN_FILENO, TCSAFLUSH, &original) }
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }
}
