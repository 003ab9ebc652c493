import ConvoModel
import ConvoRemote
import Foundation
import Testing

/// A write retried under the same Idempotency-Key must send the same bytes: servers compare
/// the body and refuse a different one as an idempotency conflict.
@Suite("Request bodies")
struct RequestBodyTests {
    private struct Draft: Encodable {
        var agent_id: String
        var title: String?
        var metadata: JSONValue?
        var max_context_length: Int?
    }

    @Test("the same value always encodes to the same bytes, keys sorted")
    func bodiesAreDeterministic() throws {
        let metadata = JSONValue.object(Dictionary(uniqueKeysWithValues: (0..<40).map { ("key\($0)", .int(Int64($0))) }))
        let draft = Draft(agent_id: "agent_1", title: "Once", metadata: metadata, max_context_length: 4096)
        var first = RemoteRequest(.post, "/conversation")
        try first.setJSONBody(draft)
        guard case .json(let expected) = first.body else {
            Issue.record("a JSON body was expected")
            return
        }
        for _ in 0..<50 {
            var again = RemoteRequest(.post, "/conversation")
            try again.setJSONBody(draft)
            guard case .json(let bytes) = again.body else { continue }
            #expect(bytes == expected)
        }
        let text = String(decoding: expected, as: UTF8.self)
        #expect(text.hasPrefix(#"{"agent_id":"agent_1","max_context_length":4096,"metadata":{"key0":0,"key1":1,"key10":10"#))
    }
}
