import Hummingbird
import NIOCore

extension Request {
    /// The first value of the header named `name` (lowercase), or nil.
    func header(named name: String) -> String? {
        headers.first { $0.name.canonicalName == name }?.value
    }

    /// The body, refused past `limit` bytes.
    ///
    /// - Throws: `payload_too_large` past the limit.
    mutating func bodyBytes(limit: Int) async throws -> ByteBuffer {
        if let declared = header(named: "content-length").flatMap(Int.init), declared > limit {
            throw EmulatorError(.payloadTooLarge, "the body is larger than \(limit) bytes")
        }
        do {
            return try await collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw EmulatorError(.payloadTooLarge, "the body is larger than \(limit) bytes")
        }
    }

    /// The body parsed as JSON (at most 1 MiB).
    ///
    /// - Throws: `payload_too_large`; `invalid_request` when it is not JSON.
    mutating func jsonBody() async throws -> JSON {
        let buffer = try await bodyBytes(limit: EmulatorConfiguration.maxJSONBodyBytes)
        return try JSON.parse(Data(buffer.readableBytesView))
    }

    /// A query parameter, percent-decoded.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name)
    }

    /// An integer query parameter within `range`, `defaultValue` when absent.
    ///
    /// - Throws: `invalid_request` when it is not an integer or out of range.
    func intQuery(_ name: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text = query(name) else { return defaultValue }
        guard let value = Int(text), range.contains(value) else {
            throw EmulatorError(.invalidRequest, "query parameter '\(name)' must be an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    /// A position without an upper bound (`offset`, `page`): an integer of at least
    /// `minimum`, `defaultValue` when absent. A well-formed number past `Int.max` reads
    /// as `Int.max`, a position after everything (an empty page), not an error.
    ///
    /// - Throws: `invalid_request` when it is not an integer or below `minimum`.
    func positionQuery(_ name: String, default defaultValue: Int, minimum: Int) throws -> Int {
        guard let text = query(name) else { return defaultValue }
        let digits = text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let wellFormed = !digits.isEmpty && digits.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        guard wellFormed, let value = Int(digits) ?? .some(.max), value >= minimum else {
            throw EmulatorError(.invalidRequest, "query parameter '\(name)' must be an integer of at least \(minimum)")
        }
        return value
    }

    /// A page size (`limit` or `per_page`): default 20, 1...100.
    func pageSize(_ name: String = "limit") throws -> Int {
        try intQuery(name, default: 20, in: 1...100)
    }

    /// A boolean query parameter (`true`/`false`), nil when absent.
    func boolQuery(_ name: String) throws -> Bool? {
        switch query(name) {
        case nil: return nil
        case "true"?, "1"?: return true
        case "false"?, "0"?: return false
        default: throw EmulatorError(.invalidRequest, "query parameter '\(name)' must be true or false")
        }
    }
}

import Foundation
