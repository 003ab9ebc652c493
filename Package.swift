// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
        .library(name: "ConvoRemote", targets: ["ConvoRemote"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        // Tests only: a real loopback server that misbehaves on demand.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

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

        // Finds Fixtures/ and makes temp folders; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "ConvoModelTests", dependencies: ["ConvoModel", "TestSupport"]),
        // Keeps Schema/*.openapi.json, the wire fixtures and the contract validator in step.
        .testTarget(name: "ContractTests", dependencies: ["TestSupport"]),
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
    ]
)
