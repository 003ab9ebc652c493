import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How to write for the place output goes: a terminal gets colour and fitted widths,
/// a pipe gets plain text.
struct Terminal: Sendable {
    /// Whether standard output is a terminal that takes ANSI styles.
    let isStyled: Bool
    /// The number of columns to fit lines into.
    let width: Int

    /// Standard output's terminal, honouring `NO_COLOR` and `TERM=dumb`.
    static func standardOutput(environment: [String: String]) -> Terminal {
        let isTTY = isatty(STDOUT_FILENO) == 1
        let colourAllowed = environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        var size = winsize()
        let columns: Int
        if isTTY, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            columns = Int(size.ws_col)
        } else if let value = environment["COLUMNS"].flatMap(Int.init), value > 20 {
            columns = value
        } else {
            columns = 100
        }
        return Terminal(isStyled: isTTY && colourAllowed, width: columns)
    }

    func bold(_ text: String) -> String { styled(text, "1") }
    func dim(_ text: String) -> String { styled(text, "2") }
    func highlight(_ text: String) -> String { styled(text, "1;33") }
    func red(_ text: String) -> String { styled(text, "31") }

    private func styled(_ text: String, _ code: String) -> String {
        isStyled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

/// Writes one line to standard error.
func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
