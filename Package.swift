// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
        .library(name: "ConvoStore", targets: ["ConvoStore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

        // The local SQLite replica: migrations, sync writes, queries, FTS5 search, observation, JSONL.
        .target(
            name: "ConvoStore",
            dependencies: ["ConvoModel", .product(name: "GRDB", package: "GRDB.swift")]
        ),

        // Finds Fixtures/ and makes temp folders; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "ConvoModelTests", dependencies: ["ConvoModel", "TestSupport"]),
        .testTarget(name: "ConvoStoreTests", dependencies: ["ConvoStore", "TestSupport"]),
    ]
)
