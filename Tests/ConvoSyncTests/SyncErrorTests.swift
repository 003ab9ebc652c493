import ConvoRemote
import ConvoStore
import Testing

@testable import ConvoSync

@Suite("SyncError classification")
struct SyncErrorTests {
    @Test("connection failures and 5xx mean offline and are retryable")
    func offlineIsRetryable() {
        for code in [RemoteError.Code.network, .timeout, .serverError] {
            let error = SyncError.wrapping(RemoteError(code, endpoint: "GET /conversations"))
            #expect(error.code == .offline)
            #expect(error.isRetryable)
        }
    }

    @Test("401 and 403 mean fix the credentials, not retry")
    func unauthorizedIsPermanent() {
        let error = SyncError.wrapping(RemoteError(.unauthorized, endpoint: "GET /conversations", status: 401))
        #expect(error.code == .unauthorized)
        #expect(!error.isRetryable)
    }

    @Test("a wrong base URL is a misconfiguration, never a deletion")
    func routeNotFoundIsMisconfigured() {
        #expect(SyncError.wrapping(RemoteError(.routeNotFound, endpoint: "GET /conversations")).code == .misconfigured)
    }

    @Test("replica failures keep the store error underneath")
    func storeErrorsAreKept() {
        let error = SyncError.wrapping(StoreError(.database, "disk full"))
        #expect(error.code == .replica)
        #expect(error.store?.code == .database)
    }

    @Test("a refused paging position is 400 invalid_request or 410 Gone naming nothing missing; 410 conversation_not_found is a deletion")
    func refusedPositions() {
        func refused(_ code: RemoteError.Code, _ status: Int, _ resource: RemoteError.Resource? = nil) -> Bool {
            SyncError.wrapping(RemoteError(code, endpoint: "GET /conversations", status: status, resource: resource)).isRefusedPosition
        }
        #expect(refused(.invalidRequest, 400))
        #expect(refused(.invalidRequest, 410))
        #expect(refused(.notFound, 410), "a bare 410, or one with a code this client does not know")
        #expect(!refused(.notFound, 410, .conversation))
        #expect(!refused(.notFound, 404))
        #expect(!refused(.invalidRequest, 422))
        #expect(!refused(.serverError, 503))
    }
}
