// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that `swift test` at the root never builds them.
// Run them with the scripts beside this file; figures go to ../BENCHMARKS.md.
let package = Package(
    name: "ConvoSyncBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "ConvoSync", path: ".."),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // package-benchmark: the store's ratios to the lean reference, with thresholds a regression fails.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The system libsqlite3, for the raw-insert reference the store is measured against.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // The raw and lean references (C API, no ORM), shared by the store's and the sync's benchmarks.
        .target(
            name: "StoreReferences",
            dependencies: ["CSQLite", .product(name: "ConvoModel", package: "ConvoSync")]
        ),
        // The corpus and the store's workloads (a sync's page writes, the JSONL export and import),
        // shared by the hand-rolled StoreBenchmark and the package-benchmark StoreRatios.
        .target(
            name: "StoreWorkload",
            dependencies: [
                .product(name: "ConvoModel", package: "ConvoSync"),
                .product(name: "ConvoStore", package: "ConvoSync"),
                // Its seeded generator, SplitMix64: the corpus and the emulator's data draw alike.
                .product(name: "ConvoEmulator", package: "ConvoSync"),
            ]
        ),
        .executableTarget(
            name: "StoreBenchmark",
            dependencies: [
                "CSQLite", "StoreReferences", "StoreWorkload",
                .product(name: "ConvoModel", package: "ConvoSync"),
                .product(name: "ConvoStore", package: "ConvoSync"),
            ]
        ),
        .executableTarget(
            name: "RemoteBenchmark",
            dependencies: [
                .product(name: "ConvoRemote", package: "ConvoSync"),
                .product(name: "ConvoModel", package: "ConvoSync"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "EmulatorBenchmark",
            dependencies: [
                .product(name: "ConvoEmulator", package: "ConvoSync"),
                .product(name: "ConvoRemote", package: "ConvoSync"),
                .product(name: "ConvoModel", package: "ConvoSync"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The engine's initial and second syncs against the emulator in another process, with
        // their fetch-only and import-only references, peak memory and watch latency.
        .executableTarget(
            name: "SyncBenchmark",
            dependencies: [
                "CSQLite", "StoreReferences", "StoreWorkload",
                .product(name: "ConvoSync", package: "ConvoSync"),
                .product(name: "ConvoStore", package: "ConvoSync"),
                .product(name: "ConvoRemote", package: "ConvoSync"),
                .product(name: "ConvoEmulator", package: "ConvoSync"),
                .product(name: "ConvoModel", package: "ConvoSync"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The store's write path and JSONL import as ratios to the lean reference, and one-term search
        // latency, run by `swift package benchmark` (see ratios.sh) and checked against Thresholds/.
        .executableTarget(
            name: "StoreRatios",
            dependencies: [
                "StoreReferences", "StoreWorkload",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ConvoModel", package: "ConvoSync"),
                .product(name: "ConvoStore", package: "ConvoSync"),
            ],
            path: "Benchmarks/StoreRatios",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
