import Synchronization

/// The faults in force and the seeded decisions that apply them.
///
/// Changed at runtime through the admin routes; read by ``FaultMiddleware``, the event
/// stream writer and the listing routes (churn).
public final class FaultController: Sendable {
    private struct State {
        var configuration: FaultConfiguration
        var random: SplitMix64
        var conversationListings = 0
        var listings = 0
        var churnDeletesHard = true
    }

    private let state: Mutex<State>

    /// Starts with `configuration`.
    public init(_ configuration: FaultConfiguration) {
        state = Mutex(State(configuration: configuration, random: SplitMix64(seed: configuration.seed)))
    }

    /// The faults in force.
    public var configuration: FaultConfiguration {
        state.withLock { $0.configuration }
    }

    /// Replaces the faults and reseeds their decisions.
    public func update(_ configuration: FaultConfiguration) {
        state.withLock { $0 = State(configuration: configuration, random: SplitMix64(seed: configuration.seed)) }
    }

    /// What happens to one request before it is handled.
    enum Decision: Equatable { case proceed, serverError, rateLimited(retryAfter: Int), cutBody }

    func decide() -> Decision {
        state.withLock { state in
            let configuration = state.configuration
            func roll(_ rate: Double) -> Bool {
                guard rate > 0 else { return false }
                return Double(state.random.next() >> 11) / Double(1 << 53) < rate
            }
            if roll(configuration.serverErrorRate) { return .serverError }
            if roll(configuration.rateLimitRate) { return .rateLimited(retryAfter: configuration.retryAfterSeconds) }
            if roll(configuration.cutBodyRate) { return .cutBody }
            return .proceed
        }
    }

    /// The churn after a conversation listing: one conversation inserted, another deleted.
    struct Churn: Sendable, Equatable {
        var insert: Bool
        var hardDelete: Bool
        var pick: UInt64
    }

    /// Counts a listing request (`conversations`: a conversation listing) and decides the
    /// lies it tells and the churn after it.
    func beginListing(conversations: Bool) -> ListingLies {
        state.withLock { state in
            let configuration = state.configuration
            state.listings += 1
            var cut = ListingLies.Cut.none
            var churn: Churn?
            if conversations {
                state.conversationListings += 1
                let number = state.conversationListings
                func every(_ k: Int?) -> Bool { k.map { $0 > 0 && number % $0 == 0 } ?? false }
                if every(configuration.emptyPageEvery) {
                    cut = .empty
                } else if every(configuration.shortPageEvery) {
                    cut = .short
                }
                if every(configuration.churnEvery) {
                    state.churnDeletesHard.toggle()
                    churn = Churn(insert: true, hardDelete: !state.churnDeletesHard, pick: state.random.next())
                }
            }
            return ListingLies(faults: configuration, number: state.listings, cut: cut, churn: churn)
        }
    }
}
