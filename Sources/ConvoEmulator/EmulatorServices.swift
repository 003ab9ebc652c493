import Logging

/// What every route shares: the store, the agent that answers, running streams and faults.
final class EmulatorServices: Sendable {
    let configuration: EmulatorConfiguration
    let store: EmulatorStore
    let runs: RunRegistry
    let replies: ReplyEngine
    let faults: FaultController
    let idempotencyLocks = IdempotencyLocks()
    let logger: Logger

    init(configuration: EmulatorConfiguration, store: EmulatorStore, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.runs = RunRegistry()
        self.replies = ReplyEngine(
            store: store, runs: runs, seed: configuration.generator.seed,
            deltaInterval: configuration.deltaInterval, replyDelay: configuration.replyDelay)
        self.faults = FaultController(configuration.faults)
        self.logger = logger
    }

    /// Applies listing churn (fault mode) after a listing of `tenantID`, scoped to `agentID`
    /// when the listing was: one new conversation, one other deleted.
    func churnAfterListing(_ lies: ListingLies, tenantID: String, agentID: String?) async {
        guard let churn = lies.churn else { return }
        do {
            let agents = try await store.agents(tenantID: tenantID)
            guard let agent = agentID ?? agents.first?.id,
                  let credential = try await store.database.read({ db in
                      try CredentialRecord.filter(Column("tenant_id") == tenantID).fetchOne(db)
                  })
            else { return }
            if churn.insert {
                var generator = TextGenerator(seed: churn.pick)
                _ = try await store.createConversation(NewConversation(
                    tenantID: tenantID, agentID: agent, entityID: credential.entityID, title: generator.title(),
                    source: generator.pick(TextGenerator.sources)))
            }
            var query = ConversationQuery(tenantID: tenantID)
            query.agentID = agentID
            query.limit = 100
            let (items, total) = try await store.page(query)
            guard total > 1, !items.isEmpty else { return }
            let victim = items[Int(churn.pick % UInt64(items.count))]
            if churn.hardDelete {
                _ = try await store.hardDelete(victim.id, tenantID: tenantID)
            } else {
                _ = try await store.softDelete(victim.id, tenantID: tenantID)
            }
        } catch {
            logger.debug("churn skipped", metadata: ["emulator.error": "\(ErrorMiddleware.emulatorError(error).code.rawValue)"])
        }
    }
}

import GRDB
