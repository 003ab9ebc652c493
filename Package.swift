// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
        .library(name: "ConvoStore", targets: ["ConvoStore"]),
        .library(name: "ConvoRemote", targets: ["ConvoRemote"]),
        .library(name: "ConvoEmulator", targets: ["ConvoEmulator"]),
        .library(name: "ConvoSync", targets: ["ConvoSync"]),
        .library(name: "ConvoAccounts", targets: ["ConvoAccounts"]),
        .executable(name: "convosync", targets: ["convosync"]),
        .executable(name: "convosync-emulator", targets: ["convosync-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

        // The local SQLite replica: migrations, sync writes, queries, FTS5 search, observation, JSONL.
        .target(
            name: "ConvoStore",
            dependencies: [
                "ConvoModel", .product(name: "GRDB", package: "GRDB.swift"),
                // The C API under GRDB, for binding a page's many-row inserts directly.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),

        // HTTP transport, SSE parser and client, typed errors and the RemoteAPI port the dialects implement.
        .target(
            name: "ConvoRemote",
            dependencies: [
                "ConvoModel",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                // TLS failures are told apart by NIOSSL's own error types.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),

        // The "remote platform": a real HTTP server speaking all four dialects over one store,
        // with fault injection. It shares no code with the client modules, so a mapping bug
        // cannot hide behind a shared type.
        // The sync engine: keeps a ConvoStore replica true to a ConvoRemote adapter (DESIGN "Sync").
        .target(
            name: "ConvoSync",
            dependencies: [
                "ConvoModel", "ConvoStore", "ConvoRemote",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Saved accounts, credentials, XDG paths and the multi-account supervisor the daemon
        // runs: what an app embedding ConvoSync needs besides one session.
        .target(
            name: "ConvoAccounts",
            dependencies: [
                "ConvoModel", "ConvoSync",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "ConvoEmulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),

        // The emulator as a standalone server.
        .executableTarget(
            name: "convosync-emulator",
            dependencies: [
                "ConvoEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The command-line tool: thin commands that parse, call a library and print.
        .executableTarget(
            name: "convosync",
            dependencies: [
                // Sessions and the supervisor; ConvoStore only for read-only queries on a replica.
                "ConvoStore", "ConvoSync", "ConvoAccounts",
                // Only `convosync demo`, which runs the emulated platform in-process.
                "ConvoEmulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // Signals: SIGINT/SIGTERM stop `sync` and `watch` at a clean point.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),

        // Finds Fixtures/, makes temp folders and checks responses against Schema/; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        // Starts the emulator in-process and drives its admin routes; shared by the tests that sync against it.
        .target(
            name: "EmulatorSupport",
            dependencies: [
                "ConvoModel", "ConvoStore", "ConvoRemote", "ConvoEmulator", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/EmulatorSupport"
        ),

        .testTarget(name: "ConvoModelTests", dependencies: ["ConvoModel", "TestSupport"]),
        .testTarget(name: "ConvoStoreTests", dependencies: ["ConvoStore", "TestSupport"]),
        .testTarget(
            name: "ConvoRemoteTests",
            dependencies: [
                "ConvoRemote",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "ConvoEmulatorTests",
            dependencies: [
                "ConvoEmulator",
                // Built so that the executable's tests find it next to the test bundle on a clean clone.
                "convosync-emulator",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Each adapter driven against the emulator over loopback: the client and the server
        // built apart, checked against each other and against Schema/.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "ConvoModel", "ConvoRemote", "ConvoEmulator", "EmulatorSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The engine against the emulator over loopback: convergence per dialect, faults, outbox.
        .testTarget(
            name: "ConvoSyncTests",
            dependencies: [
                "ConvoModel", "ConvoStore", "ConvoRemote", "ConvoSync", "ConvoEmulator", "EmulatorSupport", "TestSupport",
                // Edits a replica by hand, as a person with the sqlite3 shell would, for `verify` to find.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Keeps Schema/*.openapi.json, the wire fixtures and the contract validator in step.
        .testTarget(name: "ContractTests", dependencies: ["TestSupport"]),
        // The supervisor in-process against the emulator, and the account files' rules.
        .testTarget(
            name: "ConvoAccountsTests",
            dependencies: [
                "ConvoAccounts", "ConvoModel", "ConvoStore", "ConvoSync", "ConvoEmulator", "EmulatorSupport", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ]
        ),
        // Runs the built `convosync` binary as a child process, the way people and scripts do.
        .testTarget(
            name: "CLITests",
            dependencies: [
                "convosync", "ConvoModel", "ConvoStore", "ConvoEmulator", "EmulatorSupport", "TestSupport",
                // Holds a replica's write lock from the test process, as another program would.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
