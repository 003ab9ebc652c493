// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
        .library(name: "ConvoStore", targets: ["ConvoStore"]),
        .executable(name: "convosync", targets: ["convosync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

        // The local SQLite replica: migrations, sync writes, queries, FTS5 search, observation, JSONL.
        .target(
            name: "ConvoStore",
            dependencies: ["ConvoModel", .product(name: "GRDB", package: "GRDB.swift")]
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

        // Finds Fixtures/ and makes temp folders; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "ConvoModelTests", dependencies: ["ConvoModel", "TestSupport"]),
        .testTarget(name: "ConvoStoreTests", dependencies: ["ConvoStore", "TestSupport"]),
        // Runs the built `convosync` binary as a child process, the way people and scripts do.
        .testTarget(name: "CLITests", dependencies: ["convosync", "ConvoModel", "ConvoStore", "TestSupport"]),
    ]
)
