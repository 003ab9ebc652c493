import ConvoEmulator

/// What the emulator prints once it listens, in a form a script can parse.
enum ReadyBanner {
    /// Lines `<dialect> <base URL>`, `agent <id>`, `ready`; or one JSON object
    /// `{"origin","tenant","dialects":{...},"agents":[...],"ready":true}`.
    static func text(_ addresses: EmulatorAddresses, json: Bool) -> String {
        if json {
            return JSON.object([
                ("origin", .string(addresses.origin)),
                ("tenant", .string(addresses.tenant)),
                ("dialects", .object(EmulatorDialect.allCases.map { ($0.rawValue, .string(addresses.baseURL($0))) })),
                ("agents", .array(addresses.agentIDs.map(JSON.string))),
                ("ready", .bool(true)),
            ]).serializedString()
        }
        var lines = EmulatorDialect.allCases.map { "\($0.rawValue) \(addresses.baseURL($0))" }
        lines += addresses.agentIDs.map { "agent \($0)" }
        lines.append("ready")
        return lines.joined(separator: "\n")
    }
}
