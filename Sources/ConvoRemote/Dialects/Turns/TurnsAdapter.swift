import ConvoModel
import Foundation

/// The read-only turns dialect (seed 003) over `HTTPTransport`: an agent's conversations
/// with all their turns of typed fragments, paged by offset.
///
/// Offsets shift under concurrent inserts and deletes, so pages overlap by one item
/// (DESIGN "Sync"): the next position is the offset of the last item read, with that
/// item's id as the expected boundary, and `RemotePage.boundaryMatched` says whether the
/// item found there was the one expected. A page that holds only the overlap item steps
/// one past it with no expectation; the engine re-reads that boundary later in the pass.
///
///     var position = PagingPosition.start
///     while true {
///         let page = try await api.conversations(from: position, pageSize: 100, filter: .init(agentID: agent))
///         if page.boundaryMatched == false { pass.markInconsistent() }
///         guard let next = page.next else { break }
///         position = next
///     }
public struct TurnsAdapter: RemoteAPI {
    /// The transport requests go through (bearer credentials, the account's base URL).
    public let transport: HTTPTransport
    /// The account this adapter speaks for; `agentIDs` are the agents in scope.
    public let account: RemoteAccount

    /// Makes an adapter; `transport` must be built for `account` (see `RemoteAPIFactory`).
    public init(transport: HTTPTransport, account: RemoteAccount) {
        self.transport = transport
        self.account = account
    }

    /// `RemoteCapabilities.of(.turns)`.
    public var capabilities: RemoteCapabilities { .of(.turns) }

    /// `GET /agents/{agentId}/conversations?offset&limit`: each conversation with all its
    /// turns; `total` is `totalResultCount`. The agent is `filter.agentID`, or the
    /// account's only agent.
    /// - Throws: `RemoteError`; `invalidRequest` for a size outside 1…100, a cursor or
    ///   page position, a negative offset, or no agent (field `filter.agentID`);
    ///   `unsupported` for any other filter.
    public func conversations(from position: PagingPosition, pageSize: Int, filter: ConversationFilter) async throws
        -> RemotePage<ConversationSnapshot>
    {
        let endpoint = "GET /agents/{agentId}/conversations"
        let limit = try RequestChecks.pageSize(pageSize, endpoint: endpoint)
        let others: [(String, Bool)] = [
            ("source", filter.source != nil), ("sourceRefID", filter.sourceRefID != nil),
            ("excludeSource", filter.excludeSource != nil), ("allUsers", filter.allUsers), ("query", filter.query != nil),
        ]
        if let other = others.first(where: \.1) { throw RequestChecks.unsupportedFilter(other.0, endpoint: endpoint) }
        guard let agentID = filter.agentID ?? (account.agentIDs.count == 1 ? account.agentIDs.first : nil) else {
            throw RemoteError(.invalidRequest, endpoint: endpoint, field: "filter.agentID")
        }
        var offset = 0
        var expected: String?
        switch position {
        case .start: break
        case .offset(let value, let boundary) where value >= 0:
            offset = value
            expected = boundary
        default: throw RequestChecks.wrongPosition(endpoint)
        }
        let response = try await transport.send(
            RemoteRequest(
                .get, "/agents/{agentId}/conversations", parameters: ["agentId": agentID],
                query: [.init("offset", String(offset)), .init("limit", String(limit))]))
        var page = try Self.conversationPage(response, offset: offset, expected: expected)
        // The route names the agent; each conversation belongs to it for life.
        for index in page.items.indices { page.items[index].conversation.agentID = agentID }
        return page
    }

    /// A `ConversationPage` body requested at `offset`, checked against the expected boundary.
    static func conversationPage(_ response: RemoteResponse, offset: Int, expected: String?) throws
        -> RemotePage<ConversationSnapshot>
    {
        let page = try response.decode(TurnsWire.Page.self)
        return Self.page(page.conversations, offset: offset, expected: expected, total: page.total)
    }

    /// The page, its boundary check and where the next overlapping page starts.
    static func page(_ items: [ConversationSnapshot], offset: Int, expected: String?, total: Int)
        -> RemotePage<ConversationSnapshot>
    {
        let boundaryMatched = expected.map { items.first?.conversation.id == $0 }
        let end = offset + items.count
        let next: PagingPosition?
        if items.isEmpty || end >= total {
            next = nil
        } else if expected != nil && items.count == 1 {
            // Only the overlap item: nothing new to anchor on, step one past it.
            next = .offset(end, expectedBoundaryID: nil)
        } else {
            next = .offset(end - 1, expectedBoundaryID: items.last?.conversation.id)
        }
        return RemotePage(items: items, next: next, total: total, boundaryMatched: boundaryMatched)
    }
}
