import ConvoModel
import ConvoStore
import Foundation
import StoreWorkload

/// Search, list and observation latency on a built replica.
struct QueryBenchmark {
    /// How many of the corpus's most common words the search samples leave out as stop words.
    static let stopWordCount = Workload.stopWordCount

    let path: String

    func run() async throws {
        let replica = try Replica.open(at: path, account: Workload.account())
        let corpus = Corpus()
        var random = SplitMix64(seed: 99)

        // Search: terms drawn in proportion to their frequency in the corpus, but never one of
        // the most common words: people search for "renewal", not for "the" or "of".
        print("search terms: frequency-proportional, excluding the \(Self.stopWordCount) most common words (stop words)")
        for termCount in 1...3 {
            var samples: [Double] = []
            var hitsSeen = 0
            for iteration in 0..<220 {
                let query = (0..<termCount).map { _ in corpus.word(&random, skippingMostCommon: Self.stopWordCount) }
                    .joined(separator: " ")
                let start = ContinuousClock.now
                let hits = try await replica.search(query, limit: 20)
                let elapsed = (ContinuousClock.now - start).seconds * 1000
                if iteration >= 20 { samples.append(elapsed) }  // the first 20 warm the cache
                hitsSeen += hits.count
            }
            Measure.report("search.\(termCount)term.p50", Measure.quantile(samples, 0.5), "ms")
            Measure.report("search.\(termCount)term.p99", Measure.quantile(samples, 0.99), "ms")
            Measure.report("search.\(termCount)term.mean_hits", Double(hitsSeen) / 220, "hits")
        }

        // Filtered one-term search: a narrow filter (one source reference, about 0.1% of the
        // conversations), a broad one (one agent of five) and one conversation.
        let filters: [(String, (inout SplitMix64) -> ConversationFilters)] = [
            ("source_ref", { random in ConversationFilters(sourceRefID: "ref-\(Int(random.next() % 997))") }),
            ("agent", { random in ConversationFilters(agentID: "agent_\(Int(random.next() % 5))") }),
            ("conversation", { random in ConversationFilters(conversationID: "conv_" + String(format: "%016x", Int(random.next() % 1000))) }),
        ]
        for (name, makeFilter) in filters {
            var samples: [Double] = []
            var hitsSeen = 0
            for iteration in 0..<220 {
                let query = corpus.word(&random, skippingMostCommon: Self.stopWordCount)
                let filter = makeFilter(&random)
                let start = ContinuousClock.now
                let hits = try await replica.search(query, filters: filter, limit: 20)
                let elapsed = (ContinuousClock.now - start).seconds * 1000
                if iteration >= 20 { samples.append(elapsed) }
                hitsSeen += hits.count
            }
            Measure.report("search.1term.\(name).p50", Measure.quantile(samples, 0.5), "ms")
            Measure.report("search.1term.\(name).p99", Measure.quantile(samples, 0.99), "ms")
            Measure.report("search.1term.\(name).mean_hits", Double(hitsSeen) / 220, "hits")
        }

        // List: the first page and pages deep into the keyset order.
        var listSamples: [Double] = []
        var cursor: String?
        for iteration in 0..<520 {
            let start = ContinuousClock.now
            let page = try await replica.conversations(ConversationQuery(limit: 50, cursor: cursor))
            let elapsed = (ContinuousClock.now - start).seconds * 1000
            if iteration >= 20 { listSamples.append(elapsed) }
            cursor = page.nextCursor
        }
        Measure.report("list.page50.p50", Measure.quantile(listSamples, 0.5), "ms")
        Measure.report("list.page50.p99", Measure.quantile(listSamples, 0.99), "ms")

        // Observation: from the start of a committed write to the subscriber seeing it.
        let first = try requireValue(try await replica.conversations(ConversationQuery(limit: 1)).items.first?.remoteID)
        let observed = replica.observeConversation(id: first)
        var iterator = observed.makeAsyncIterator()
        _ = try await iterator.next()  // the initial value
        var observationSamples: [Double] = []
        for round in 0..<120 {
            var conversation = try requireValue(try await replica.conversation(id: first)?.summary.conversation)
            conversation.title = "Observed title \(round)"
            let start = ContinuousClock.now
            try await replica.upsertConversations([conversation], pass: nil, syncState: nil)
            while let value = try await iterator.next() {
                if value?.summary.title == conversation.title { break }
            }
            let elapsed = (ContinuousClock.now - start).seconds * 1000
            if round >= 20 { observationSamples.append(elapsed) }
        }
        Measure.report("observe.commit_to_subscriber.p50", Measure.quantile(observationSamples, 0.5), "ms")
        Measure.report("observe.commit_to_subscriber.p99", Measure.quantile(observationSamples, 0.99), "ms")
    }
}

struct MissingValue: Error {}

func requireValue<T>(_ value: T?) throws -> T {
    guard let value else { throw MissingValue() }
    return value
}
