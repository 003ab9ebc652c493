import ConvoStore
import ConvoSync
import Foundation

/// How `verify` prints its report, for a person or (`--json`) a script.
extension VerifyCommand {
    /// The report for a person: one line, then a line per finding.
    static func describe(_ report: VerifyReport, label: String) -> String {
        let counts = "remote \(report.remoteConversations), replica \(report.localConversations)"
        var lines: [String] = []
        let repaired = report.repaired > 0 ? " after repairing \(report.repaired)" : ""
        if report.isEqual {
            lines.append("Equal to \(label)\(repaired): \(counts) conversations.")
        } else {
            lines.append("Differs from \(label)\(repaired) (\(counts) conversations): \(report.differences.count) \(report.differences.count == 1 ? "difference" : "differences").")
        }
        for finding in report.findings {
            let id = TextLayout.printable(finding.conversationID)
            var line: String
            switch finding.kind {
            case .missingLocally: line = "  missing locally  \(id)"
            case .extraLocally:
                line = "  extra locally    \(id)"
                if finding.confirmedGone == true { line += " (the remote says conversation_not_found)" }
            case .differs: line = "  differs          \(id): \(finding.fields.map(TextLayout.printable).joined(separator: ", "))"
            case .pending: line = "  pending          \(id) (local writes queued)"
            }
            if finding.unconfirmed { line += " [unconfirmed: the listing moved while it was read]" }
            lines.append(line)
        }
        if report.pendingWrites > 0 { lines.append("\(report.pendingWrites) local \(report.pendingWrites == 1 ? "write waits" : "writes wait") in the outbox.") }
        if !report.listingsHeldStill { lines.append("The remote changed while it was read; verify again when it is quiet to confirm.") }
        if report.refused > 0 { lines.append("\(report.refused) remote items were skipped: their ids cannot be stored.") }
        return lines.joined(separator: "\n")
    }
}

/// `verify --json`.
struct VerifyDocument: Encodable {
    struct Finding: Encodable {
        let kind: String
        let conversationID: String
        let fields: [String]
        let confirmedGone: Bool?
        let unconfirmed: Bool

        enum CodingKeys: String, CodingKey {
            case kind, fields, unconfirmed
            case conversationID = "conversation_id"
            case confirmedGone = "confirmed_gone"
        }
    }

    let account: String?
    let equal: Bool
    let remoteConversations: Int
    let localConversations: Int
    let pendingWrites: Int
    let refused: Int
    let listingsHeldStill: Bool
    let repaired: Int
    let findings: [Finding]

    enum CodingKeys: String, CodingKey {
        case account, equal, refused, repaired, findings
        case remoteConversations = "remote_conversations"
        case localConversations = "local_conversations"
        case pendingWrites = "pending_writes"
        case listingsHeldStill = "listings_held_still"
    }

    init(_ report: VerifyReport, account: String?) {
        self.account = account
        equal = report.isEqual
        remoteConversations = report.remoteConversations
        localConversations = report.localConversations
        pendingWrites = report.pendingWrites
        refused = report.refused
        listingsHeldStill = report.listingsHeldStill
        repaired = report.repaired
        findings = report.findings.map {
            Finding(
                kind: $0.kind.rawValue, conversationID: $0.conversationID, fields: $0.fields,
                confirmedGone: $0.confirmedGone, unconfirmed: $0.unconfirmed)
        }
    }
}
