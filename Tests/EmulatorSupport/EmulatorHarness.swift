import ConvoEmulator
import ConvoModel
import ConvoRemote
import ConvoStore
import Foundation
import Logging

/// Starts the emulator in-process on a free loopback port and connects a dialect's adapter
/// to it, the way an app would connect to a platform.
public enum EmulatorHarness {
    public static let logger = Logger(label: "convosync.tests.end-to-end")

    /// An emulator seeded with `conversations` conversations, and `body` run against it.
    public static func withSeededEmulator<T>(
        conversations: Int = 60, turns: Int = 4, configure: (inout EmulatorConfiguration) -> Void = { _ in },
        _ body: (RunningEmulator) async throws -> T
    ) async throws -> T {
        var configuration = EmulatorConfiguration()
        configuration.generator.conversations = conversations
        configuration.generator.turns = turns
        configuration.deltaInterval = .milliseconds(1)
        configure(&configuration)
        return try await withEmulator(configuration, logger: logger, body)
    }

    /// The account an app would configure for `dialect` on this emulator.
    public static func account(_ dialect: Dialect, on emulator: RunningEmulator) throws -> RemoteAccount {
        let emulatorDialect = try requireDialect(dialect)
        guard let baseURL = URL(string: emulator.baseURL(emulatorDialect)) else {
            throw HarnessError("the emulator's base URL does not parse")
        }
        let configuration = emulator.emulator.configuration
        let credentials: Credentials =
            dialect == .knowrithm
            ? .apiKey(configuration.apiKey, secret: configuration.apiSecret) : .bearer(configuration.apiKey)
        return RemoteAccount(
            baseURL: baseURL, dialect: dialect, tenant: dialect == .v2 ? configuration.tenant : nil,
            agentIDs: emulator.addresses.agentIDs, credentials: credentials)
    }

    /// Runs `body` with a connected adapter, shutting its transport down afterwards.
    public static func withAdapter<T>(
        _ dialect: Dialect, on emulator: RunningEmulator, _ body: (any RemoteAPI) async throws -> T
    ) async throws -> T {
        let connection = RemoteAPIFactory.make(account: try account(dialect, on: emulator), logger: logger)
        do {
            let result = try await body(connection.api)
            try await connection.shutdown()
            return result
        } catch {
            try? await connection.shutdown()
            throw error
        }
    }

    /// The emulator's truth for the default tenant, as Foundation JSON.
    public static func truth(_ emulator: RunningEmulator) async throws -> [[String: Any]] {
        let data = try await emulator.emulator.store.truth(tenantID: emulator.emulator.configuration.tenant).serialized()
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        return object?["conversations"] as? [[String: Any]] ?? []
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// The emulator's name for a client dialect (the two modules share no types on purpose).
public func requireDialect(_ dialect: Dialect) throws -> EmulatorDialect {
    guard let match = EmulatorDialect(rawValue: dialect.rawValue) else {
        throw HarnessError("the emulator does not serve \(dialect)")
    }
    return match
}

extension EmulatorHarness {
    /// The replica as `dialect` would show it next to the emulator's truth seen the same way:
    /// equal when the replica is in step.
    public static func comparison(_ replica: ConvoStore.Replica, dialect: Dialect, on emulator: RunningEmulator) async throws
        -> (replica: [ExpectedConversation], remote: [ExpectedConversation])
    {
        let truth = try await truth(emulator)
        return (
            try await ExpectedConversation.fromReplica(replica, dialect: dialect),
            ExpectedConversation.fromTruth(truth, dialect: dialect)
        )
    }
}
