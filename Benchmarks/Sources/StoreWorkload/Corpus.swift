import ConvoEmulator
import ConvoModel
import Foundation

/// The emulator's seeded generator: the corpus is the same on every run, and the benchmarks
/// that draw queries from it name it through this module.
public typealias SplitMix64 = ConvoEmulator.SplitMix64

/// A deterministic corpus of English-like conversations: a vocabulary of common words plus
/// made-up ones drawn with a Zipf distribution, as natural text is, so that search sees
/// both very common and rare terms.
public struct Corpus: Sendable {
    public static let commonWords: [String] = """
        the of and to a in for is on that with as it be at by this from are or an we have not was \
        will can your our you all more about which their if has but they one time new up out any \
        customer account renewal quote invoice contract pipeline revenue forecast quarter meeting \
        report summary budget cost price discount order payment refund support ticket issue release \
        deploy server database migration schedule deadline project team review approval proposal \
        client partner vendor product feature roadmap launch campaign market sales lead opportunity \
        region europe america asia office remote hiring interview candidate offer onboarding policy \
        security audit compliance privacy backup incident outage latency storage network cluster \
        analysis table chart trend growth decline risk estimate target plan draft final update \
        monday tuesday wednesday thursday friday january february march april june july august \
        acme globex initech umbrella hooli stark wayne wonka cyberdyne tyrell soylent \
        please thanks could would should need want send share check confirm prepare summarize \
        explain compare list show find total average monthly weekly annual yearly daily
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init).filter { !$0.isEmpty }

    public let vocabulary: [String]
    /// Cumulative Zipf weights over `vocabulary`, for sampling by binary search.
    private let cumulative: [Double]

    public init(vocabularySize: Int = 20_000, seed: UInt64 = 7) {
        var random = SplitMix64(seed: seed)
        let onsets = ["b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "br", "cl", "st", "tr", "pl", "gr", "sh", "ch", "th"]
        let nuclei = ["a", "e", "i", "o", "u", "ea", "ou", "ai", "io"]
        let codas = ["", "n", "r", "s", "t", "l", "nd", "st", "rk", "ng", "ck", "m"]
        var words = Corpus.commonWords
        var seen = Set(words)
        while words.count < vocabularySize {
            let syllables = 1 + Int(random.next() % 3)
            var word = ""
            for _ in 0..<syllables {
                word += onsets[Int(random.next() % UInt64(onsets.count))]
                word += nuclei[Int(random.next() % UInt64(nuclei.count))]
                word += codas[Int(random.next() % UInt64(codas.count))]
            }
            if seen.insert(word).inserted { words.append(word) }
        }
        vocabulary = words
        var total = 0.0
        cumulative = (1...words.count).map { rank in
            total += 1.0 / pow(Double(rank), 1.07)
            return total
        }
    }

    /// One word, Zipf-distributed.
    public func word(_ random: inout SplitMix64) -> String {
        word(&random, skippingMostCommon: 0)
    }

    /// One word drawn with probability proportional to its corpus frequency, among all
    /// but the `skipped` most common words (the stop words nobody searches for).
    public func word(_ random: inout SplitMix64, skippingMostCommon skipped: Int) -> String {
        let floor = skipped > 0 ? cumulative[min(skipped, cumulative.count) - 1] : 0
        let ceiling = cumulative.last ?? 1
        let target = floor + Double(random.next() >> 11) / Double(1 << 53) * (ceiling - floor)
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] < target { low = mid + 1 } else { high = mid }
        }
        return vocabulary[min(max(low, skipped), vocabulary.count - 1)]
    }

    /// A sentence of 6 to 18 words, capitalised, ending with a full stop.
    public func sentence(_ random: inout SplitMix64) -> String {
        let count = 6 + Int(random.next() % 13)
        var words = (0..<count).map { _ in word(&random) }
        words[0] = words[0].prefix(1).uppercased() + words[0].dropFirst()
        return words.joined(separator: " ") + "."
    }

    /// Conversation `index` of the corpus: `turns` turns of `fragmentsPerTurn` fragments.
    ///
    /// Depends only on the seed and the index, so a corpus can be produced in any order,
    /// one conversation at a time, in flat memory.
    public func conversation(_ index: Int, turns: Int, fragmentsPerTurn: Int, seed: UInt64) -> (Conversation, [Turn]) {
        var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0001)
        let base = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
        let created = base.addingTimeInterval(Double(index) * 60)
        let id = "conv_" + String(format: "%016x", index)
        let titleWords = (0..<(3 + Int(random.next() % 4))).map { _ in word(&random) }
        let sources = ["web", "slack", "api", "email"]
        let conversation = Conversation(
            id: id, agentID: "agent_\(index % 5)",
            title: titleWords.joined(separator: " ").prefix(1).uppercased() + titleWords.joined(separator: " ").dropFirst(),
            metadata: .object(["crm_id": .string("CRM-\(index)"), "priority": .int(Int64(random.next() % 5))]),
            source: sources[index % sources.count], sourceRefID: "ref-\(index % 997)",
            messageCount: turns, createdAt: created,
            updatedAt: created.addingTimeInterval(Double(turns) * 30))
        var turnList: [Turn] = []
        turnList.reserveCapacity(turns)
        for ordinal in 0..<turns {
            let role: Role = ordinal % 2 == 0 ? .user : .assistant
            let fragments = (0..<fragmentsPerTurn).map { _ in
                Fragment(
                    content: (0..<(1 + Int(random.next() % 3))).map { _ in sentence(&random) }.joined(separator: " "),
                    state: .done)
            }
            let turnID = "msg_" + String(format: "%016x", index * 1000 + ordinal)
            turnList.append(
                Turn(
                    id: turnID, role: role, timestamp: created.addingTimeInterval(Double(ordinal) * 30), state: .done,
                    inReplyTo: role == .assistant ? "msg_" + String(format: "%016x", index * 1000 + ordinal - 1) : nil,
                    fragments: fragments))
        }
        return (conversation, turnList)
    }
}
