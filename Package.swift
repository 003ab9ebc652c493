// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
        .library(name: "ConvoStore", targets: ["ConvoStore"]),
        .library(name: "ConvoRemote", targets: ["ConvoRemote"]),
        .executable(name: "convosync", targets: ["convosync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Tests only: a real loopback server that misbehaves on demand.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

        // The local SQLite replica: migrations, sync writes, queries, FTS5 search, observation, JSONL.
        .target(
            name: "ConvoStore",
            dependencies: ["ConvoModel", .product(name: "GRDB", package: "GRDB.swift")]
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
            ]
        ),

        // The command-line tool: thin commands that parse, call a library and print.
        .executableTarget(
            name: "convosync",
            dependencies: [
                "ConvoModel",
                "ConvoStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // Finds Fixtures/, makes temp folders and checks responses against Schema/; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

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
            ]
        ),
        // Keeps Schema/*.openapi.json, the wire fixtures and the contract validator in step.
        .testTarget(name: "ContractTests", dependencies: ["TestSupport"]),
        // Runs the built `convosync` binary as a child process, the way people and scripts do.
        .testTarget(name: "CLITests", dependencies: ["convosync", "ConvoModel", "ConvoStore", "TestSupport"]),
    ]
)
