import ConvoAccounts
import ConvoModel
import Foundation
import Testing
import TestSupport

/// The account list and the credentials file as an app changes them through ConvoAccounts.
@Suite("SavedAccounts")
struct SavedAccountsTests {
    @Test("a saved account resolves to its remote and replica, and only its stored credential stands for it")
    func savedAccountResolvesWithItsOwnCredentialOnly() async throws {
        try await withTemporaryDirectory { folder in
            let environment = ["HOME": folder.path, "CONVOSYNC_API_KEY": "from-the-environment"]
            let saved = SavedAccounts(paths: try XDGPaths(environment: environment))
            try saved.add(
                "work", AccountEntry(remote: "https://api.example.com/v1/", dialect: .agentflow),
                credential: StoredCredential(apiKey: "stored-key"))
            let resolved = try AccountRequest(account: "work").resolve(environment: environment)
            #expect(resolved.replicaPath == saved.paths.defaultReplica(account: "work"))
            #expect(resolved.remote.baseURL.absoluteString == "https://api.example.com/v1")
            #expect(resolved.label == "account 'work'")
            #expect(try Self.mode(of: saved.paths.credentialsFile) == 0o600)

            // Without a stored secret the environment's key is not sent to a saved account's host.
            try CredentialsFile().save(to: saved.paths.credentialsFile)
            let error = #expect(throws: AccountsError.self) {
                try AccountRequest(account: "work").resolve(environment: environment)
            }
            #expect(error?.code == .configuration)
            #expect(error?.message.contains("--credential-from-env") == true)
            #expect(throws: Never.self) {
                try AccountRequest(account: "work", credentialFromEnvironment: true).resolve(environment: environment)
            }
        }
    }

    @Test("a credentials file others may read is refused before an account is added")
    func readableCredentialsFileIsRefused() async throws {
        try await withTemporaryDirectory { folder in
            let saved = SavedAccounts(paths: try XDGPaths(environment: ["HOME": folder.path]))
            try CredentialsFile(entries: ["other": StoredCredential(apiKey: "k")]).save(to: saved.paths.credentialsFile)
            #expect(chmod(saved.paths.credentialsFile, 0o644) == 0)
            let entry = AccountEntry(remote: "https://api.example.com/v1", dialect: .agentflow)
            let error = #expect(throws: AccountsError.self) { try saved.checkNew("work", entry) }
            #expect(error?.code == .configuration)
            #expect(error?.message.contains("chmod 600") == true)
            #expect(try AccountsFile.load(from: saved.paths.accountsFile).accounts.isEmpty)
        }
    }

    @Test("removing an account takes its secret out and keeps the others'")
    func removeTakesTheSecretOut() async throws {
        try await withTemporaryDirectory { folder in
            let saved = SavedAccounts(paths: try XDGPaths(environment: ["HOME": folder.path]))
            for name in ["work", "home"] {
                try saved.add(
                    name, AccountEntry(remote: "https://api.example.com/v1", dialect: .agentflow),
                    credential: StoredCredential(apiKey: "key-\(name)"))
            }
            try saved.remove("work")
            #expect(try AccountsFile.load(from: saved.paths.accountsFile).accounts.keys.sorted() == ["home"])
            #expect(try CredentialsFile.load(from: saved.paths.credentialsFile).entries.keys.sorted() == ["home"])
            let error = #expect(throws: AccountsError.self) { try saved.remove("work") }
            #expect(error?.code == .configuration)
        }
    }

    private static func mode(of path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as? Int ?? 0) & 0o777
    }
}
