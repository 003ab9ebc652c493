import Foundation

/// RFC 3339 UTC timestamps, the only time format on the wire and in exports.
///
/// The canonical precision is the millisecond: fractional seconds are written
/// (three digits) only when they are not zero, so a remote's `2026-01-02T03:04:05Z`
/// round-trips unchanged.
public enum Timestamp {
    private static let whole = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    /// Parses an RFC 3339 timestamp with or without fractional seconds and with any offset.
    public static func parse(_ text: String) -> Date? {
        // Pick the one style that can match instead of trying both: a failed parse throws,
        // and throwing for every whole-second time was a measurable share of an import.
        let style = text.utf8.contains(UInt8(ascii: ".")) ? fractional : whole
        return try? style.parse(text)
    }

    /// Formats a date as RFC 3339 UTC, rounded to the millisecond.
    public static func format(_ date: Date) -> String {
        // Work in integer milliseconds: formatting the binary double directly
        // truncates .120 to .119.
        let millis = milliseconds(date)
        let (seconds, fraction) = millis.quotientAndRemainder(dividingBy: 1000)
        let (wholeSeconds, positiveFraction) = fraction < 0 ? (seconds - 1, fraction + 1000) : (seconds, fraction)
        let text = whole.format(Date(timeIntervalSince1970: Double(wholeSeconds)))
        guard positiveFraction != 0 else { return text }
        let digits = String(positiveFraction)
        return text.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Milliseconds since the Unix epoch: how the replica stores and compares times.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    /// The date for milliseconds since the Unix epoch.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
