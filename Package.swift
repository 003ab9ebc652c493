// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ConvoSync",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "ConvoModel", targets: ["ConvoModel"]),
    ],
    targets: [
        // Canonical, dialect-free values shared by the replica, the remote client and exports.
        .target(name: "ConvoModel"),

        // Finds Fixtures/ and makes temp folders; shared by every test target.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "ConvoModelTests", dependencies: ["ConvoModel", "TestSupport"]),

        // Checks the dialects' OpenAPI contracts, the wire fixtures and the contract validator.
        .testTarget(name: "ContractTests", dependencies: ["TestSupport"]),
    ]
)
