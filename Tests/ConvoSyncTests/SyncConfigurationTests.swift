import ConvoSync
import Testing

@Suite("Sync configuration")
struct SyncConfigurationTests {
    @Test("run() backs off syncs that keep failing to check deletions: doubling from the retry, capped at the pull interval")
    func inconsistentSyncsBackOff() {
        var configuration = SyncConfiguration()
        configuration.inconsistentPassRetry = .seconds(2)
        configuration.pullInterval = .seconds(60)
        let delays = (1...8).map { configuration.delay(afterInconsistentSyncs: $0) }
        #expect(delays == [.seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(32), .seconds(60), .seconds(60), .seconds(60)])
        #expect(configuration.delay(afterInconsistentSyncs: 10_000) == .seconds(60))
    }
}
