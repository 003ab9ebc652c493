/// Which faults the emulator injects into dialect routes. All off by default.
///
/// Decisions come from a PRNG seeded with ``seed``, so the same requests in the same
/// order meet the same faults.
///
///     var faults = FaultConfiguration()
///     faults.rateLimitRate = 0.2
///     faults.retryAfterSeconds = 2
public struct FaultConfiguration: Sendable, Equatable {
    /// Seeds fault decisions (default 1).
    public var seed: UInt64 = 1
    /// Fraction of requests answered 503 `unavailable` (default 0).
    public var serverErrorRate: Double = 0
    /// Fraction of requests answered 429 `rate_limited` (default 0).
    public var rateLimitRate: Double = 0
    /// The `Retry-After` of a 429, in seconds (default 1).
    public var retryAfterSeconds = 1
    /// Added before each request is handled (default 0).
    public var latency: Duration = .zero
    /// Fraction of non-streamed responses whose connection is cut after half the
    /// declared `Content-Length` (default 0).
    public var cutBodyRate: Double = 0
    /// Event streams are cut (connection closed) after this many events (default nil: never).
    public var cutStreamAfterEvents: Int?
    /// Every event of an event stream is sent twice (default false).
    public var duplicateEvents = false
    /// After every k-th conversation listing, one conversation is inserted and another
    /// deleted (alternately hard and soft) in that tenant (default nil: never).
    public var churnEvery: Int?

    /// No faults.
    public init() {}

    /// Whether any fault is on.
    public var isActive: Bool { self != FaultConfiguration(seed: seed) }

    init(seed: UInt64) { self.seed = seed }
}
