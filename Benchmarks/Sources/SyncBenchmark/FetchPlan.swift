import ConvoModel
import ConvoRemote
import Foundation

/// Reference (a) of the initial sync: the listing pages and per-conversation reads the engine
/// makes, fetched as bytes with no decoding, reads `concurrentReads` at a time as the engine
/// prepares a page.
///
/// The listing is walked once beforehand through the adapter (untimed) to learn each page's
/// request and the conversations it names; the timed run replays those requests and reads
/// each named conversation the way the engine does on a fresh replica. Where a read spans
/// pages (knowrithm, v2 messages), the next page is found by scanning the bytes for the paging
/// field, not by parsing them.
struct FetchPlan: Sendable {
    /// One listing page and the conversations whose turns the engine reads after it.
    struct Page: Sendable {
        var request: RemoteRequest
        /// Conversation ids, with the agent that lists them where reads are per agent (v2).
        var reads: [(id: String, agent: String?)]
    }

    let dialect: Dialect
    var pages: [Page] = []
    /// Requests the engine sends after the pages (turns: boundaries re-checked at the end).
    var trailing: [RemoteRequest] = []

    /// Walks every listing scope the engine pulls on a first sync of `account`.
    static func make(api: any RemoteAPI, account: RemoteAccount, pageSize: Int) async throws -> FetchPlan {
        var plan = FetchPlan(dialect: account.dialect)
        let capabilities = api.capabilities
        let scopes: [String?] = capabilities.listsPerAgent ? account.agentIDs : [nil]
        for agent in scopes {
            var position = PagingPosition.start
            while true {
                let page = try await api.conversations(
                    from: position, pageSize: pageSize, filter: ConversationFilter(agentID: agent))
                let reads = page.items.first?.turns == nil ? page.items.map { ($0.conversation.id, agent) } : []
                plan.pages.append(Page(request: listing(account, agent: agent, position, pageSize), reads: reads))
                guard let next = page.next, !page.items.isEmpty else { break }
                if case .offset(let offset, nil) = next {
                    plan.trailing.append(listing(account, agent: agent, .offset(offset - 1, expectedBoundaryID: nil), 1))
                }
                position = next
            }
        }
        if capabilities.deletedListing {
            var position = PagingPosition.start
            while true {
                let page = try await api.deletedConversations(from: position, pageSize: pageSize)
                var request = listing(account, agent: nil, position, pageSize)
                request.route = "/conversation/deleted"
                plan.pages.append(Page(request: request, reads: page.items.map { ($0.id, nil) }))
                guard let next = page.next, !page.items.isEmpty, next != position else { break }
                position = next
            }
        }
        return plan
    }

    /// The listing request the adapter sends for `position`, query items in its order.
    static func listing(_ account: RemoteAccount, agent: String?, _ position: PagingPosition, _ pageSize: Int)
        -> RemoteRequest
    {
        let limit = String(pageSize)
        switch account.dialect {
        case .agentflow:
            var cursor: String?
            if case .cursor(let token) = position { cursor = token }
            return RemoteRequest(.get, "/conversations", query: [.init("limit", limit), .init("cursor", cursor)])
        case .v2:
            var token: String?
            if case .cursor(let value) = position { token = value }
            return RemoteRequest(
                .get, "/agents/{aid}/conversations", parameters: ["aid": agent ?? ""],
                query: [.init("limit", limit), .init("next", token)])
        case .knowrithm:
            var number = 1
            if case .page(let value) = position { number = value }
            return RemoteRequest(.get, "/conversation", query: [.init("page", String(number)), .init("per_page", limit)])
        case .turns:
            var offset = 0
            if case .offset(let value, _) = position { offset = value }
            return RemoteRequest(
                .get, "/agents/{agentId}/conversations", parameters: ["agentId": agent ?? ""],
                query: [.init("offset", String(offset)), .init("limit", limit)])
        }
    }

    /// Runs the plan: each page, then its reads `concurrentReads` at a time.
    /// Returns requests sent and body bytes received.
    func run(transport: HTTPTransport, concurrentReads: Int, pageSize: Int) async throws
        -> (requests: Int, bytes: Int)
    {
        var requests = 0
        var bytes = 0
        for page in pages {
            bytes += try await transport.send(page.request).body.readableBytes
            requests += 1
            let reads = page.reads
            try await withThrowingTaskGroup(of: (Int, Int).self) { group in
                var next = 0
                func startNext() {
                    guard next < reads.count else { return }
                    let (id, agent) = reads[next]
                    next += 1
                    group.addTask { try await read(id, transport: transport, pageSize: pageSize, agent: agent) }
                }
                for _ in 0..<max(1, concurrentReads) { startNext() }
                while let (sent, received) = try await group.next() {
                    requests += sent
                    bytes += received
                    startNext()
                }
            }
        }
        for request in trailing {
            bytes += try await transport.send(request).body.readableBytes
            requests += 1
        }
        return (requests, bytes)
    }

    /// One conversation's read as the engine makes it on a fresh replica, as bytes.
    private func read(_ id: String, transport: HTTPTransport, pageSize: Int, agent: String?) async throws -> (Int, Int) {
        let limit = String(pageSize)
        switch dialect {
        case .agentflow:
            let body = try await transport.send(RemoteRequest(.get, "/conversations/{id}", parameters: ["id": id])).body
            return (1, body.readableBytes)
        case .knowrithm:
            var number = 1
            var sent = 0
            var bytes = 0
            while true {
                let response = try await transport.send(
                    RemoteRequest(
                        .get, "/conversation/{id}/messages", parameters: ["id": id],
                        query: [.init("page", String(number)), .init("per_page", limit)]))
                sent += 1
                bytes += response.body.readableBytes
                guard let pages = BytesScan.integer(after: "\"pages\":", in: response.data), number < pages else {
                    return (sent, bytes)
                }
                number += 1
            }
        case .v2:
            var token: String?
            var sent = 0
            var bytes = 0
            while true {
                let response = try await transport.send(
                    RemoteRequest(
                        .get, "/agents/{aid}/conversations/{cid}/messages", parameters: ["aid": agent ?? "", "cid": id],
                        query: [.init("limit", limit), .init("next", token)]))
                sent += 1
                bytes += response.body.readableBytes
                guard let next = BytesScan.string(after: "\"next\":\"", in: response.data), next != token else {
                    return (sent, bytes)
                }
                token = next
            }
        case .turns:
            return (0, 0)
        }
    }
}

/// Finds a paging field in a JSON body by its bytes, without parsing the body.
enum BytesScan {
    /// The digits right after `key` (e.g. `"pages":`), as a number.
    static func integer(after key: String, in data: Data) -> Int? {
        guard let range = data.range(of: Data(key.utf8)) else { return nil }
        let digits = data[range.upperBound...].prefix { $0 >= 0x30 && $0 <= 0x39 }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// The string right after `key` (e.g. `"next":"`) up to its closing quote; tokens hold no escapes.
    static func string(after key: String, in data: Data) -> String? {
        guard let range = data.range(of: Data(key.utf8)) else { return nil }
        let value = data[range.upperBound...].prefix { $0 != 0x22 }
        return String(decoding: value, as: UTF8.self)
    }
}
