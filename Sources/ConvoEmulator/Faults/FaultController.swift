import Synchronization

/// The faults in force and the seeded decisions that apply them.
///
/// Changed at runtime through the admin routes; read by ``FaultMiddleware``, the event
/// stream writer and the listing routes (churn).
public final class FaultController: Sendable {
    private struct State {
        var configuration: FaultConfiguration
        var random: SplitMix64
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

    /// Counts a listing request; returns what churn to apply after it, if any.
    func churnAfterListing() -> (insert: Bool, hardDelete: Bool, pick: UInt64)? {
        state.withLock { state in
            guard let every = state.configuration.churnEvery, every > 0 else { return nil }
            state.listings += 1
            guard state.listings % every == 0 else { return nil }
            state.churnDeletesHard.toggle()
            return (true, !state.churnDeletesHard, state.random.next())
        }
    }
}
