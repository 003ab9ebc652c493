import ConvoModel
import Foundation
import Logging

/// The sync engine's benchmark (issue: "Performance (benchmark)"). One mode per process, so
/// that each peak-memory reading is one run's; `Benchmarks/sync.sh` runs them in order and
/// prints the figures with their ratios. Every mode prints `name value unit` lines.
///
///     SyncBenchmark serve   --conversations N [--turns 10]        emulator; prints "ready ORIGIN AGENTS"
///     SyncBenchmark sync    --dialect D --replica DB [--export JSONL]  REMOTE   initial sync
///     SyncBenchmark fetch   --dialect D                            REMOTE   reference (a): bytes only
///         (both take --concurrent-reads N, default the engine's)
///     SyncBenchmark import  --jsonl JSONL --replica DB [--server-pid P]     reference (b): import only
///     SyncBenchmark write   --dialect D --replica DB               REMOTE   reference (b'): the engine's write call only
///     SyncBenchmark second  --dialect D --replica DB [--rounds 3]  REMOTE   second sync after changes
///     SyncBenchmark verify  --dialect D --replica DB               REMOTE   verify() on a synced replica
///         (an empty replica is synced first, untimed)
///     SyncBenchmark latency --replica DB [--samples 50]            REMOTE   watch snapshot -> committed row
///
/// REMOTE is `--origin http://127.0.0.1:PORT --agents A,B,C [--server-pid P]`, as `serve` printed.
let options: Options
do {
    options = try Options(CommandLine.arguments.dropFirst())
} catch {
    print(error)
    exit(64)
}
let mode = options.mode

var logger = Logger(label: "convosync.benchmarks.sync")
logger.logLevel = .warning

do {
    switch mode {
    case "serve":
        try await Serve.run(
            conversations: try options.int("conversations", default: 10_000), turns: try options.int("turns", default: 10),
            logger: logger)
    case "sync":
        try await InitialSync.sync(
            try options.dialect(), remote: try options.remote(), replicaPath: try options.value("replica"),
            exportPath: options.values["export"], configuration: try options.syncConfiguration(), logger: logger)
    case "fetch":
        try await InitialSync.fetch(
            try options.dialect(), remote: try options.remote(), configuration: try options.syncConfiguration(), logger: logger)
    case "import":
        try await InitialSync.importRows(
            from: try options.value("jsonl"), into: try options.value("replica"), serverPID: options.values["server-pid"].flatMap { Int32($0) })
    case "write":
        try await WritePath.run(try options.dialect(), remote: try options.remote(), replicaPath: try options.value("replica"), logger: logger)
    case "second":
        try await SecondSync.run(
            try options.dialect(), remote: try options.remote(), replicaPath: try options.value("replica"),
            rounds: try options.int("rounds", default: 3), logger: logger)
    case "verify":
        try await VerifyRun.run(
            try options.dialect(), remote: try options.remote(), replicaPath: try options.value("replica"),
            configuration: try options.syncConfiguration(), logger: logger)
    case "latency":
        try await WatchLatency.run(
            remote: try options.remote(), replicaPath: try options.value("replica"), samples: try options.int("samples", default: 50),
            logger: logger)
    default:
        print("unknown mode '\(mode)': serve, sync, fetch, import, write, second, verify or latency")
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("SyncBenchmark \(mode) failed: \(error)\n".utf8))
    exit(1)
}
