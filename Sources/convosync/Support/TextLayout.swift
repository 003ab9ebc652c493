import ConvoAccounts
import Foundation

/// Small helpers that make human output fit a terminal.
enum TextLayout {
    /// Cuts `text` to at most `width` characters, ending with `…` when cut, and folds
    /// line breaks and tabs into spaces so one record stays on one line.
    static func truncate(_ text: String, to width: Int) -> String {
        let flat = printable(text)
        guard width > 1, flat.count > width else { return flat }
        return String(flat.prefix(width - 1)) + "…"
    }

    /// The text made safe for a terminal (see `PrintableText`): remote text cannot drive it.
    static func printable(_ text: String) -> String {
        PrintableText.of(text)
    }

    /// Pads `text` with spaces to `width` characters.
    static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    /// "just now", "5 min ago", "3 h ago", "2 days ago", or the date for older times.
    static func relative(_ date: Date, now: Date = Date()) -> String {
        let seconds = now.timeIntervalSince(date)
        if seconds < 0 { return date.formatted(.iso8601.year().month().day()) }
        switch seconds {
        case ..<60: return "just now"
        case ..<3600: return "\(Int(seconds / 60)) min ago"
        case ..<86_400: return "\(Int(seconds / 3600)) h ago"
        case ..<(86_400 * 30): return "\(Int(seconds / 86_400)) days ago"
        default: return date.formatted(.iso8601.year().month().day())
        }
    }

    /// Renders rows as columns separated by two spaces; the last column takes what is left
    /// of `width` and is truncated to fit.
    static func table(header: [String], rows: [[String]], width: Int) -> [String] {
        guard let columnCount = header.indices.last.map({ $0 + 1 }) else { return [] }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < columnCount - 1 {
                widths[index] = max(widths[index], cell.count)
            }
        }
        let fixed = widths.dropLast().reduce(0, +) + 2 * (columnCount - 1)
        let lastWidth = max(10, width - fixed)
        func render(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                index == columnCount - 1 ? truncate(cell, to: lastWidth) : pad(cell, to: widths[index])
            }.joined(separator: "  ")
        }
        return [render(header)] + rows.map(render)
    }
}
