// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
        .library(name: "ConvoEmulator", targets: ["ConvoEmulator"]),
        .executable(name: "convosync-emulator", targets: ["convosync-emulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

        // The "remote platform": a real HTTP server speaking all four dialects over one store.
        .target(
            name: "ConvoEmulator",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "MultipartKit", package: "multipart-kit"),
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

        // Finds Fixtures/ and makes temp folders; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "ConvoModelTests", dependencies: ["ConvoModel", "TestSupport"]),
        .testTarget(
            name: "ConvoEmulatorTests",
            dependencies: [
                "ConvoEmulator",
                "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
