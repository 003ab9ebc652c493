import Foundation
import MultipartKit
import NIOCore

/// Reads the uploaded files of a `multipart/form-data` body with MultipartKit's parser.
enum MultipartUpload {
    /// The `boundary` parameter of a multipart content type (1–70 characters).
    static func boundary(of contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else { continue }
            var value = pair[1].trimmingCharacters(in: .whitespaces)
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            return (1...70).contains(value.utf8.count) ? value : nil
        }
        return nil
    }

    /// The parts named `field`: name (from `filename`, untrusted), content type and bytes.
    ///
    /// - Throws: `invalid_request` when the body is not well-formed multipart.
    static func files(in body: ByteBuffer, boundary: String, field: String) throws -> [(name: String, contentType: String, bytes: Data)] {
        final class Collector {
            var parts: [(headers: [(String, String)], body: [UInt8])] = []
            var headers: [(String, String)] = []
            var body: [UInt8] = []
        }
        let collector = Collector()
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in collector.headers.append((name, value)) }
        parser.onBody = { buffer in collector.body.append(contentsOf: buffer.readableBytesView) }
        parser.onPartComplete = {
            collector.parts.append((collector.headers, collector.body))
            collector.headers = []
            collector.body = []
        }
        do {
            try parser.execute(body)
        } catch {
            throw EmulatorError(.invalidRequest, "the multipart body is malformed")
        }
        var files: [(name: String, contentType: String, bytes: Data)] = []
        for part in collector.parts {
            guard let disposition = part.headers.first(where: { $0.0.lowercased() == "content-disposition" })?.1,
                  parameter("name", in: disposition) == field
            else { continue }
            let contentType = part.headers.first(where: { $0.0.lowercased() == "content-type" })?.1 ?? "application/octet-stream"
            let name = parameter("filename", in: disposition).map(decodeEscapes) ?? "upload"
            files.append((name, contentType, Data(part.body)))
        }
        return files
    }

    /// Undoes the HTML standard's multipart escaping of a file name: a quote and control
    /// characters travel as `%XX` (uppercase hex), since a quoted-string cannot hold them
    /// and RFC 7578 forbids `filename*`. Only those escapes are decoded; any other `%` is text.
    static func decodeEscapes(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var result = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            if scalar == "%", scalars.count >= 2,
                let high = hexValue(scalars.first),
                let low = hexValue(scalars.dropFirst().first)
            {
                let value = UInt32(high * 16 + low)
                if value == 0x22 || value < 0x20 || value == 0x7F, let decoded = Unicode.Scalar(value) {
                    result.append(decoded)
                    scalars = scalars.dropFirst(2)
                    continue
                }
            }
            result.append(scalar)
        }
        return String(result)
    }

    /// The value of an uppercase hexadecimal digit, as the escaping writes them.
    private static func hexValue(_ scalar: Unicode.Scalar?) -> Int? {
        guard let scalar else { return nil }
        switch scalar {
        case "0"..."9": return Int(scalar.value - 0x30)
        case "A"..."F": return Int(scalar.value - 0x41 + 10)
        default: return nil
        }
    }

    /// A quoted or bare parameter of a `Content-Disposition` value.
    static func parameter(_ name: String, in disposition: String) -> String? {
        var index = disposition.startIndex
        let key = name + "="
        while let range = disposition.range(of: key, range: index..<disposition.endIndex) {
            let before = range.lowerBound == disposition.startIndex ? nil : disposition[disposition.index(before: range.lowerBound)]
            index = range.upperBound
            guard before == nil || before == ";" || before == " " else { continue }
            let rest = disposition[range.upperBound...]
            if rest.hasPrefix("\"") {
                var value = ""
                var escaped = false
                for character in rest.dropFirst() {
                    if escaped { value.append(character); escaped = false; continue }
                    if character == "\\" { escaped = true; continue }
                    if character == "\"" { return value }
                    value.append(character)
                }
                return nil
            }
            return String(rest.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
