/// Tables the agent produces: deterministic rows of accounts and figures, and their CSV.
enum ReportBuilder {
    static let accounts = ["Acme Corp", "Northwind", "Globex", "Initech", "Umbrella", "Stark Industries",
                           "Wayne Enterprises", "Hooli", "Soylent", "Vandelay Imports", "Cyberdyne", "Tyrell"]
    static let stages = ["prospect", "qualified", "proposal", "negotiation", "closed won", "closed lost"]

    /// A frame named after the conversation with columns `account, stage, amount, probability`.
    static func table(seed: UInt64, conversationID: String) -> (name: String, columns: [String], rows: [[JSON]]) {
        var generator = TextGenerator(seed: seed)
        let count = generator.int(8...24)
        var rows: [[JSON]] = []
        for _ in 0..<count {
            rows.append([
                .string(generator.pick(accounts)),
                .string(generator.pick(stages)),
                .int(Int64(generator.int(5...500)) * 1000),
                .double(Double(generator.int(5...95)) / 100),
            ])
        }
        let suffix = conversationID.suffix(4)
        return ("report_\(suffix)", ["account", "stage", "amount", "probability"], rows)
    }

    /// RFC 4180 CSV with a header line.
    static func csv(columns: [String], rows: [[JSON]]) -> String {
        var lines = [columns.map(field).joined(separator: ",")]
        for row in rows { lines.append(row.map(cell).joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func cell(_ value: JSON) -> String {
        switch value {
        case .null: return ""
        case .string(let text): return field(text)
        default: return field(value.serializedString())
        }
    }

    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
