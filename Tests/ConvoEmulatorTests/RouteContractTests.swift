import ConvoEmulator
import Foundation
import Testing
import TestSupport

/// The documented API is the whole API: the routes the emulator registers, held to the
/// operations of `Schema/<dialect>.openapi.json` (which the contract tests hold to
/// DIALECTS.md). Operations marked `x-extension: true` are served only with extensions on.
@Suite("emulator routes against the contracts")
struct RouteContractTests {
    /// `METHOD /path` with every path parameter written `{}` and no trailing slash, so the
    /// emulator's `{name}` meets the contract's `{data_frame_name}`.
    static func normalized(_ method: String, _ path: String) -> String {
        var path = path.replacing(/\{[^}]*\}/, with: "{}")
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        return "\(method) \(path)"
    }

    /// A dialect's contract operations, split into documented ones and extensions.
    static func declared(_ dialect: EmulatorDialect) throws -> (documented: Set<String>, extensions: Set<String>) {
        let contract = try OpenAPIContract(dialect: dialect.rawValue)
        var documented: Set<String> = []
        var extensions: Set<String> = []
        for operation in contract.operations {
            let item = contract.document["paths"]?[operation.pathTemplate]?[operation.method.lowercased()]
            let name = normalized(operation.method, operation.pathTemplate)
            if item?["x-extension"] == .bool(true) { extensions.insert(name) } else { documented.insert(name) }
        }
        return (documented, extensions)
    }

    static func served(_ configure: (inout EmulatorConfiguration) -> Void = { _ in }) async throws -> [EmulatorDialect: Set<String>] {
        var routes: [EmulatorDialect: Set<String>] = [:]
        try await EmulatorClient.with(configure) { client in
            for route in client.emulator.emulator.routes {
                routes[route.dialect, default: []].insert(normalized(route.method, route.path))
            }
        }
        return routes
    }

    @Test("by default the emulator registers exactly the documented routes of every dialect")
    func defaultRoutesAreTheDocumentedOnes() async throws {
        let served = try await Self.served()
        #expect(Set(served.keys) == Set(EmulatorDialect.allCases))
        for dialect in EmulatorDialect.allCases {
            let routes = served[dialect] ?? []
            let documented = try Self.declared(dialect).documented
            #expect(routes.subtracting(documented).isEmpty, "\(dialect) serves undocumented \(routes.subtracting(documented).sorted())")
            #expect(documented.subtracting(routes).isEmpty, "\(dialect) lacks \(documented.subtracting(routes).sorted())")
        }
    }

    @Test("with extensions on, every added route is one the contract marks as an extension")
    func extensionsAreOnlyMarkedOperations() async throws {
        let served = try await Self.served { $0.extensions = true }
        var added: [String] = []
        for dialect in EmulatorDialect.allCases {
            let (documented, extensions) = try Self.declared(dialect)
            let routes = served[dialect] ?? []
            #expect(routes.subtracting(documented).subtracting(extensions).isEmpty, "\(dialect)")
            added += routes.subtracting(documented).map { "\(dialect.rawValue) \($0)" }
        }
        #expect(added == ["knowrithm GET /conversation/{}"])
    }

    @Test("knowrithm's read by id is 405 by default, as on a platform without it, and served only with extensions")
    func knowrithmReadByIDIsAnExtension() async throws {
        try await EmulatorClient.with { client in
            let id = try await KnowrithmRoutesTests.newConversation(client)
            let read = try await client.get(.knowrithm, "/conversation/\(id)")
            #expect(read.status == 405)
            #expect(read.headers.first(name: "Allow") == "DELETE")
        }
        try await EmulatorClient.with({ $0.extensions = true }) { client in
            let id = try await KnowrithmRoutesTests.newConversation(client)
            let read = try await client.get(.knowrithm, "/conversation/\(id)")
            #expect(read.status == 200)
            #expect(try read.json["id"]?.stringValue == id)
        }
    }
}
