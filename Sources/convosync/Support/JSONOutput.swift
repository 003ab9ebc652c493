import Foundation

/// Prints one JSON document on standard output: sorted keys, RFC 3339 times, no escaped slashes.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let data = try encoder.encode(value)
    let output = StandardOutput()
    try output.writeLine(String(decoding: data, as: UTF8.self))
    try output.flush()
}
