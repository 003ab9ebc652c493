import Foundation

/// One event of a Server-Sent-Events body, as the WHATWG rules dispatch it.
public struct ContractEvent: Sendable, Hashable {
    /// The event type (`message` when the block has no `event:` field).
    public var type: String
    /// The data lines joined with LF.
    public var data: String
    /// The value of this block's own `id:` field, if it has one.
    public var id: String?

    /// Creates an event.
    public init(type: String, data: String, id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}

extension OpenAPIContract {
    /// Splits an event-stream body into events per the WHATWG rules: LF, CR and CRLF line
    /// ends, a leading BOM, comments, `field: value` with one optional space stripped,
    /// multi-line `data`, blocks without data not dispatched.
    ///
    /// - Returns: the events, and whether the body ends inside an event (no blank line after it).
    public static func parseEventStream(_ body: Data) -> (events: [ContractEvent], unterminated: Bool) {
        var text = String(decoding: body, as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        // Swift treats "\r\n" as one Character, so splitting on newlines handles all three line ends.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
        let endsWithNewline = lines.last == ""
        if endsWithNewline { lines.removeLast() }

        var events: [ContractEvent] = []
        var type = ""
        var data: [String] = []
        var id: String?
        var pending = false
        for line in lines {
            if line.isEmpty {
                if !data.isEmpty {
                    events.append(ContractEvent(type: type.isEmpty ? "message" : type, data: data.joined(separator: "\n"), id: id))
                }
                type = ""
                data = []
                id = nil
                pending = false
                continue
            }
            if line.hasPrefix(":") { continue }
            pending = true
            let field: Substring
            var value: Substring
            if let colon = line.firstIndex(of: ":") {
                field = line[..<colon]
                value = line[line.index(after: colon)...]
                if value.hasPrefix(" ") { value = value.dropFirst() }
            } else {
                field = line
                value = ""
            }
            switch field {
            case "event": type = String(value)
            case "data": data.append(String(value))
            case "id" where !value.contains("\0"): id = String(value)
            default: break
            }
        }
        return (events, pending)
    }

    /// Validates each event against the media type's `x-convosync-events` map: its type is
    /// declared, its data is JSON of the declared schema (or any text for `dataFormat: text`),
    /// its `id:` is present or absent as declared, a `first` type comes first and nothing
    /// follows a `terminal` one. Paths are `/events/<index>/…`.
    func validateEventStream(_ body: Data, events declared: [String: ContractJSON]) -> [ContractViolation] {
        let (events, unterminated) = Self.parseEventStream(body)
        var violations: [ContractViolation] = []
        if unterminated {
            violations.append(ContractViolation(path: "/events/\(events.count)", message: "the stream ends inside an event (no blank line after it)"))
        }
        let firstTypes = Set(declared.filter { $0.value["first"]?.boolValue == true }.keys)
        var terminatedAt: Int?
        for (index, event) in events.enumerated() {
            let path = "/events/\(index)"
            if let terminal = terminatedAt {
                violations.append(ContractViolation(path: path, message: "event \(event.type) after the terminal event at \(terminal)"))
            }
            guard let rule = declared[event.type] else {
                let known = declared.keys.sorted().joined(separator: ", ")
                violations.append(ContractViolation(path: path + "/event", message: "unknown event type \"\(event.type)\", expected one of \(known)"))
                continue
            }
            if !firstTypes.isEmpty, firstTypes.contains(event.type) != (index == 0) {
                let message = index == 0 ? "the stream must start with \(firstTypes.sorted().joined(separator: " or "))" : "\(event.type) may only be the first event"
                violations.append(ContractViolation(path: path + "/event", message: message))
            }
            switch rule["id"]?.stringValue {
            case "required" where event.id == nil:
                violations.append(ContractViolation(path: path + "/id", message: "missing id field"))
            case "absent" where event.id != nil:
                violations.append(ContractViolation(path: path + "/id", message: "unexpected id field"))
            default:
                break
            }
            if rule["dataFormat"]?.stringValue == "json" {
                guard let value = try? ContractJSON(data: Data(event.data.utf8)) else {
                    violations.append(ContractViolation(path: path + "/data", message: "data is not JSON: \(ContractJSON.string(event.data).brief)"))
                    continue
                }
                if let schema = rule["schema"] {
                    violations += validate(value, against: schema, at: path + "/data")
                }
            }
            if rule["terminal"]?.boolValue == true, terminatedAt == nil {
                terminatedAt = index
            }
        }
        return violations
    }
}
