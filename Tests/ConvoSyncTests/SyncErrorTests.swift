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
}
