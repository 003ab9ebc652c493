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

    // Faults that lie: well-formed answers that are not the truth. "Conversation
    // listings" are agentflow `GET /conversations` and `/conversations/search`, v2
    // `GET /agents/{aid}/conversations`, knowrithm `GET /conversation`,
    // `/conversation/entity` and `/conversation/deleted`, and turns
    // `GET /agents/{agentId}/conversations`; they are counted from 1 over all dialects.
    // "Listings" are those plus v2 messages, knowrithm messages, v2 agents, v2 files and
    // v2 data frames, counted from 1 on their own counter. Every authenticated request a
    // listing route receives counts, even one it refuses; counters restart when the faults
    // are replaced.

    /// Every k-th conversation listing answers no items, with the true total and no further
    /// page: agentflow `next_cursor: null`, v2 `next: null`, knowrithm `items: []` with the
    /// requested page, turns `conversations: []` (default nil: never). Wins over
    /// ``shortPageEvery`` when both pick the same listing.
    public var emptyPageEvery: Int?
    /// Every k-th conversation listing answers only the first half (rounded down) of its
    /// items and claims the listing ends there: agentflow and v2 `next` null, knowrithm
    /// `pages` = the requested page; totals stay true (default nil: never).
    public var shortPageEvery: Int?
    /// In cursor listings (agentflow conversations and search, v2 conversations, v2
    /// messages) the page reached with the second page's cursor (page index 2) answers as
    /// its next cursor the one the first page answered, even when it is the last page, so
    /// a client following cursors sees A→B→A→B… The page index rides inside the token,
    /// so the cycle holds per listing sequence without server state (default false).
    public var cursorCycle = false
    /// The generation every issued cursor token carries (agentflow `cursor`, v2 `next` of
    /// agents, conversations and messages); a token of another generation is answered 400
    /// `invalid_request` ("the paging token has expired"). Changing it expires every
    /// stored cursor (default 0).
    public var cursorGeneration = 0
    /// An expired token (``cursorGeneration``) is answered 410 Gone, still with an
    /// `invalid_request` body, instead of the documented 400, as platforms that expire sync
    /// tokens often do (default false).
    public var expiredCursorsGone = false
    /// Every reported total (agentflow `total`, knowrithm `total` with `pages` computed
    /// from it, turns `totalResultCount`) is the true total plus the listing's number
    /// mod 3 (default false).
    public var movingTotal = false
    /// Every reported total is 1_000_000_000_000_000, knowrithm `pages` computed from it;
    /// wins over ``movingTotal`` (default false).
    public var absurdTotal = false
    /// Each page of a listing (conversations in every dialect, v2 and knowrithm messages,
    /// v2 agents, files and data frames) gains one fabricated item at its end, in no
    /// store, whose id (`file_ref` for files, `name` for data frames) cycles by the
    /// listing's number through: one containing U+0000, one containing U+0001, one of
    /// 1,500 bytes, the empty string (see ``hostileID(_:prefix:)``). Reads of it by id answer
    /// 404 of its kind (an empty id cannot be named in a path; an empty `file_ref` stays 400). In turns the fabricated conversation has no turns, and the page's first
    /// true conversation gains a fabricated turn with the same hostile id. The item is
    /// added after an empty or short page's cut (default false).
    public var hostileIDs = false
    /// Watch snapshot events carry an `id:` of the snapshot id plus U+0001 and `x`
    /// (`7\u{1}x`) and one of 1,500 bytes (the snapshot id padded with `x`), alternately
    /// per stream, starting with the control byte; the data stays true (default false).
    public var sseHostileIDs = false
    /// Every event stream (watch and streamed replies) starts with a `retry: 0` line, in a
    /// block of its own before the first event (default false).
    public var sseRetryZero = false
    /// v2 file listings claim `size` 1_000_000_000_000 and data-frame listings
    /// `row_count` 1_000_000_000_000; the bytes and rows served stay true (default false).
    public var hugeSizes = false
    /// Optional routes answered 404 `route_not_found`, as if the platform lacked them, by
    /// name: see ``optionalRouteNames`` (default none).
    public var missingRoutes: Set<String> = []

    /// The names ``missingRoutes`` accepts: `watch` (agentflow watch), `search` (agentflow
    /// search), `agents` (agentflow and v2 agent listings), `files` (v2 files list, upload,
    /// download), `data_frames` (v2 data-frame list and read), `title` (agentflow title),
    /// `analytics` (knowrithm), `deleted_listing` (knowrithm `GET /conversation/deleted`),
    /// `entity_listing` (knowrithm `GET /conversation/entity`).
    public static let optionalRouteNames: Set<String> = [
        "watch", "search", "agents", "files", "data_frames", "title", "analytics", "deleted_listing", "entity_listing",
    ]

    /// The total a lying total reports (``absurdTotal``).
    public static let absurdTotalValue = 1_000_000_000_000_000
    /// The size and row count huge-size listings claim (``hugeSizes``).
    public static let hugeSizeValue = 1_000_000_000_000

    /// The hostile id of the listing numbered `listing` (from 1) under ``hostileIDs``,
    /// after `prefix` (e.g. `conv_`); the empty one has no prefix.
    public static func hostileID(_ listing: Int, prefix: String) -> String {
        switch ((listing - 1) % 4 + 4) % 4 {
        case 0: return prefix + "\u{0}hostile"
        case 1: return prefix + "\u{1}hostile"
        case 2: return prefix + String(repeating: "x", count: max(0, 1500 - prefix.utf8.count))
        default: return ""
        }
    }

    /// No faults.
    public init() {}

    /// Whether any fault is on.
    public var isActive: Bool { self != FaultConfiguration(seed: seed) }

    init(seed: UInt64) { self.seed = seed }
}
