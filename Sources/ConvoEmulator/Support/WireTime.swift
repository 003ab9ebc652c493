import Foundation

/// RFC 3339 UTC times as the emulator writes them: milliseconds only when non-zero.
///
/// The store keeps times as integer milliseconds since the Unix epoch.
enum WireTime {
    private static let whole = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// `2026-03-01T09:30:00Z` or `2026-03-01T09:30:00.250Z`.
    static func format(_ milliseconds: Int64) -> String {
        let (seconds, fraction) = milliseconds.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, positive) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = whole.format(Date(timeIntervalSince1970: Double(wholeSeconds)))
        guard positive != 0 else { return text }
        let digits = String(positive)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// A JSON string for `milliseconds`, or `null`.
    static func json(_ milliseconds: Int64?) -> JSON {
        milliseconds.map { .string(format($0)) } ?? .null
    }
}
