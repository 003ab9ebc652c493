import ConvoEmulator
import Foundation
import NIOHTTP1
import Testing

@Suite("contract check of live responses")
struct ContractCheckTests {
    @Test("the dialect and the relative path come from the URL prefix; admin routes belong to no dialect")
    func locatesDialects() {
        #expect(ContractCheck.locate("/agentflow/v1/conversations?limit=2")?.dialect == .agentflow)
        #expect(ContractCheck.locate("/agentflow/v1/conversations?limit=2")?.relative == "/conversations?limit=2")
        #expect(ContractCheck.locate("/v2/tenants/globex/api/v2/agents/a/conversations")?.dialect == .v2)
        #expect(ContractCheck.locate("/v2/tenants/globex/api/v2/agents/a/conversations")?.relative == "/agents/a/conversations")
        #expect(ContractCheck.locate("/knowrithm/v1/conversation/deleted")?.relative == "/conversation/deleted")
        #expect(ContractCheck.locate("/turns/agents/x/conversations")?.dialect == .turns)
        #expect(ContractCheck.locate("/turnsx/agents") == nil)
        #expect(ContractCheck.locate("/_emulator/truth?tenant=acme") == nil)
        #expect(ContractCheck.pathAndQuery("http://127.0.0.1:8080/turns/agents?offset=1") == "/turns/agents?offset=1")
    }

    @Test("a drifted body, an undeclared status and a 405 without Allow are violations")
    func flagsDrift() throws {
        let url = "http://127.0.0.1:1/knowrithm/v1/conversation/conv_0000000000000001/messages"
        var headers = HTTPHeaders([("Content-Type", "application/json")])
        let drifted = Data(#"{"affected":2,"items":[]}"#.utf8)
        let found = try #require(ContractCheck.violations(method: .DELETE, url: url, status: 200, headers: headers, body: drifted))
        #expect(found.violations.map(\.path) == ["/items"])
        let conforming = Data(#"{"affected":2}"#.utf8)
        #expect(ContractCheck.violations(method: .DELETE, url: url, status: 200, headers: headers, body: conforming)?.violations == [])
        let error = Data(#"{"error":{"code":"invalid_request","message":"no"}}"#.utf8)
        #expect(ContractCheck.violations(method: .DELETE, url: url, status: 409, headers: headers, body: error)?.violations.count == 1)
        #expect(ContractCheck.violations(method: .PUT, url: url, status: 405, headers: headers, body: error)?.violations.count == 1)
        headers.add(name: "Allow", value: "DELETE, GET")
        #expect(ContractCheck.violations(method: .PUT, url: url, status: 405, headers: headers, body: error)?.violations == [])
    }

    @Test("a stream read in part is checked up to its last complete event")
    func completeEventsOnly() {
        let body = Data("event: a\ndata: 1\n\nevent: b\ndata: 2\n\nevent: c\nda".utf8)
        #expect(ContractCheck.completeEvents(body) == Data("event: a\ndata: 1\n\nevent: b\ndata: 2\n\n".utf8))
        #expect(ContractCheck.completeEvents(Data("data: x\n".utf8)).isEmpty)
    }
}
