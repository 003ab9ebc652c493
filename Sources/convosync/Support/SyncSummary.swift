import ConvoAccounts
import ConvoSync

/// What `convosync sync` prints when it is in step (`--json`: this document).
struct SyncSummary: Encodable {
    let account: String?
    let dialect: String
    let replica: String
    let pages: Int
    let listed: Int
    let read: Int
    let purged: Int
    let pushed: Int
    let failedWrites: Int
    let deletionsChecked: Bool
    let refused: Int
    let requests: Int
    let receivedBytes: Int
    let finishedAt: String

    enum CodingKeys: String, CodingKey {
        case account, dialect, replica, pages, listed, read, purged, pushed, refused, requests
        case failedWrites = "failed_writes"
        case deletionsChecked = "deletions_checked"
        case receivedBytes = "received_bytes"
        case finishedAt = "finished_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(account, forKey: .account)  // null when no account was named
        try container.encode(dialect, forKey: .dialect)
        try container.encode(replica, forKey: .replica)
        try container.encode(pages, forKey: .pages)
        try container.encode(listed, forKey: .listed)
        try container.encode(read, forKey: .read)
        try container.encode(purged, forKey: .purged)
        try container.encode(pushed, forKey: .pushed)
        try container.encode(failedWrites, forKey: .failedWrites)
        try container.encode(deletionsChecked, forKey: .deletionsChecked)
        try container.encode(refused, forKey: .refused)
        try container.encode(requests, forKey: .requests)
        try container.encode(receivedBytes, forKey: .receivedBytes)
        try container.encode(finishedAt, forKey: .finishedAt)
    }
}

extension SyncSummary {
    /// Prints what one sync did: one sentence, or with `json` one document.
    static func print(
        _ report: SyncReport, resolved: ResolvedAccount, traffic: (requests: Int, receivedBytes: Int), json: Bool
    ) throws {
        let summary = SyncSummary(
            account: resolved.name, dialect: resolved.remote.dialect.rawValue, replica: resolved.replicaPath,
            pages: report.pull.pages, listed: report.pull.listed, read: report.pull.read, purged: report.pull.purged,
            pushed: report.pushed, failedWrites: report.failedWrites,
            deletionsChecked: report.pull.deletionsChecked, refused: report.pull.refused, requests: traffic.requests,
            receivedBytes: traffic.receivedBytes,
            finishedAt: Timestamp.format(report.finishedAt))
        if json {
            try printJSON(summary)
            return
        }
        var line = "In step with \(resolved.label): \(report.pull.listed) conversations listed in \(report.pull.pages) "
            + "\(report.pull.pages == 1 ? "page" : "pages"), \(report.pull.read) read, \(report.pull.purged) removed "
            + "(\(traffic.requests) requests, \(SyncProgress.byteCount(traffic.receivedBytes)) received)."
        if report.pushed > 0 {
            line += " Sent \(report.pushed) local \(report.pushed == 1 ? "write" : "writes")."
        }
        if report.failedWrites > 0 {
            line += " The remote refused \(report.failedWrites) local \(report.failedWrites == 1 ? "write" : "writes") for good; they are kept in the outbox with the reason."
        }
        if report.pull.refused > 0 {
            line += " Skipped \(report.pull.refused) remote \(report.pull.refused == 1 ? "item" : "items") whose ids cannot be stored."
        }
        if !report.pull.deletionsChecked {
            line += " Deletions were not checked: the remote kept changing through \(report.pull.fullPasses) \(report.pull.fullPasses == 1 ? "pass" : "passes"); the next sync checks them."
        }
        Swift.print(line)
    }
}
