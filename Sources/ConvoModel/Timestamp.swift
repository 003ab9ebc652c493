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
        if let millis = commonFormMilliseconds(text) { return date(milliseconds: millis) }
        // Pick the one style that can match instead of trying both: a failed parse throws,
        // and throwing for every whole-second time was a measurable share of an import.
        let style = text.utf8.contains(UInt8(ascii: ".")) ? fractional : whole
        return try? style.parse(text)
    }

    /// Milliseconds since the epoch for the forms every dialect sends, read by hand:
    /// `YYYY-MM-DDTHH:MM:SS`, then `.fff` or nothing, then `Z` or `±HH:MM`, a valid date and
    /// time from 1583 on (Foundation reads earlier dates in the Julian calendar). `nil` for
    /// anything else, which Foundation's parser then reads or refuses as before. Foundation's
    /// ISO 8601 parser was 29 % of decoding a listing page.
    static func commonFormMilliseconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { bytes -> Int64? in
            guard bytes.count == 20 || bytes.count == 24 || bytes.count == 25 || bytes.count == 29 else { return nil }
            func number(_ start: Int, _ count: Int) -> Int? {
                var value = 0
                for index in start..<start + count {
                    let digit = Int(bytes[index]) - 48
                    guard digit >= 0 && digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            func byte(_ index: Int, is character: Unicode.Scalar) -> Bool { bytes[index] == UInt8(ascii: character) }
            guard byte(4, is: "-"), byte(7, is: "-"), byte(10, is: "T"), byte(13, is: ":"), byte(16, is: ":"),
                let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                year >= 1583, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
                hour <= 23, minute <= 59, second <= 59
            else { return nil }
            var index = 19
            var millis = 0
            if byte(index, is: ".") {
                guard bytes.count == 24 || bytes.count == 29, let fraction = number(20, 3) else { return nil }
                millis = fraction
                index = 23
            }
            var offsetMinutes = 0
            if byte(index, is: "Z") {
                guard index + 1 == bytes.count else { return nil }
            } else {
                guard index + 6 == bytes.count, byte(index, is: "+") || byte(index, is: "-"), byte(index + 3, is: ":"),
                    let hours = number(index + 1, 2), let minutes = number(index + 4, 2), hours <= 23, minutes <= 59
                else { return nil }
                offsetMinutes = (hours * 60 + minutes) * (byte(index, is: "-") ? -1 : 1)
            }
            let days = daysSinceEpoch(year: year, month: month, day: day)
            let seconds = ((days * 24 + hour) * 60 + minute) * 60 + second - offsetMinutes * 60
            return Int64(seconds) * 1000 + Int64(millis)
        }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
    /// `days_from_civil`).
    private static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
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
