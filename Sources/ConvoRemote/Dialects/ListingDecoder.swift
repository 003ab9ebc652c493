import ConvoModel
import NIOCore

/// Decodes a recorded conversation-listing body exactly as the dialect's adapter decodes a
/// live one: for tools that replay recorded responses, and for measuring decode cost
/// without a network.
///
///     let page = try ListingDecoder.conversations(.agentflow, body: ByteBuffer(data: recorded))
public enum ListingDecoder {
    /// The page a first listing request (`.start`) would have produced from `body`.
    /// - Throws: `RemoteError` `malformedResponse` naming the offending field, as the adapter would.
    public static func conversations(_ dialect: Dialect, body: ByteBuffer) throws -> RemotePage<ConversationSnapshot> {
        switch dialect {
        case .agentflow:
            return try AgentFlowAdapter.conversationPage(response(body, "GET /conversations"))
        case .v2:
            return try V2Adapter.conversationPage(response(body, "GET /agents/{aid}/conversations"))
        case .knowrithm:
            return try KnowrithmAdapter.decodePage(
                response(body, "GET /conversation"), number: 1, of: KnowrithmWire.Conv.self
            ) { ConversationSnapshot(conversation: $0.value, turns: nil) }
        case .turns:
            return try TurnsAdapter.conversationPage(
                response(body, "GET /agents/{agentId}/conversations"), offset: 0, expected: nil)
        }
    }

    private static func response(_ body: ByteBuffer, _ endpoint: String) -> RemoteResponse {
        RemoteResponse(status: 200, headers: [], body: body, endpoint: endpoint)
    }
}
