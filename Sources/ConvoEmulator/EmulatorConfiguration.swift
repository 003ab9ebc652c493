/// How an emulator starts: where it listens, what it seeds, how it paces and misbehaves.
///
///     var configuration = EmulatorConfiguration()
///     configuration.generator.conversations = 300
///     configuration.faults.serverErrorRate = 0.1
public struct EmulatorConfiguration: Sendable {
    /// JSON bodies are refused past 1 MiB (413).
    public static let maxJSONBodyBytes = 1 << 20
    /// Multipart uploads are refused past 16 MiB (413).
    public static let maxUploadBytes = 16 << 20

    /// The TCP port on 127.0.0.1; 0 (the default) picks a free one.
    public var port: Int = 0
    /// A database file kept across restarts; nil (the default) keeps everything in memory.
    public var databasePath: String?
    /// What to generate into a fresh store.
    public var generator = GeneratorConfiguration()
    /// The default tenant's name (default `acme`).
    public var tenant = "acme"
    /// The default tenant's API key (default `dev-key`).
    public var apiKey = "dev-key"
    /// The default tenant's knowrithm secret (default `dev-secret`).
    public var apiSecret = "dev-secret"
    /// Mounts the `/_emulator/...` admin routes (default false).
    public var adminEnabled = false
    /// Serves routes beyond DIALECTS.md (today: knowrithm `GET /conversation/{id}`), which
    /// the documented API does not have; default false; no client path needs them.
    public var extensions = false
    /// The pause between streamed reply deltas (default 20 ms).
    public var deltaInterval: Duration = .milliseconds(20)
    /// The pause before a non-streamed reply is stored (default 0).
    public var replyDelay: Duration = .zero
    /// Snapshots kept per conversation for watch resumption (default 50).
    public var snapshotRetention = 50
    /// How often an idle watch stream gets a `: keep-alive` comment (default 15 s).
    public var keepAliveInterval: Duration = .seconds(15)
    /// Faults injected from the start (default none).
    public var faults = FaultConfiguration()
    /// Whether a reply stream cut before it finished keeps its idempotency record, so that a
    /// retry under the same key replays what was sent (default false). The seeds promise no
    /// such replay: by default the emulator is the strict platform, where a retry of a cut
    /// stream runs as a new request (its first attempt's user turn stays stored). True
    /// emulates a lenient platform.
    public var replayCutStreams = false

    /// The defaults: port 0, in memory, generator seed 42 with no generated conversations.
    public init() {}
}

/// What the deterministic generator puts into a fresh store.
public struct GeneratorConfiguration: Sendable, Equatable {
    /// The PRNG seed: the same seed gives the same data, byte for byte (default 42).
    public var seed: UInt64 = 42
    /// Conversations generated for the default tenant (default 0).
    public var conversations = 0
    /// Turns per generated conversation, on average (default 4).
    public var turns = 4
    /// Conversations generated for the second tenant, `globex` (default 3).
    public var otherTenantConversations = 3

    /// The defaults.
    public init() {}
}
