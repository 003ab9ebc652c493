/// Realistic English titles, questions and answers from word lists and templates, driven
/// by a seeded PRNG so the same seed always gives the same text.
struct TextGenerator {
    static let subjects = [
        "the Acme renewal", "the Q3 pipeline", "our onboarding flow", "the pricing page", "the billing migration",
        "the support backlog", "the Northwind contract", "the mobile release", "the data retention policy",
        "the partner program", "the churn forecast", "the security review", "the hiring plan", "the API rate limits",
        "the warehouse dashboard", "the enterprise trial", "the marketing budget", "the incident from Tuesday",
        "the customer health scores", "the SSO rollout", "the invoice disputes", "the EMEA expansion",
        "the roadmap for next quarter", "the quarterly business review", "the open opportunities",
    ]
    static let verbs = [
        "summarize", "review", "compare", "explain", "draft an update on", "list the risks in",
        "estimate the impact of", "find the blockers in", "prepare talking points for", "check the status of",
    ]
    static let titleTemplates = [
        "Questions about %@", "Follow-up on %@", "Planning %@", "Notes on %@", "Help with %@",
        "Status of %@", "Review of %@", "Ideas for %@",
    ]
    static let openers = [
        "Here is what I found about %@.", "I looked into %@ for you.", "Short answer: %@ is on track, with a few caveats.",
        "Good question about %@.", "Let me walk through %@ step by step.",
    ]
    static let findings = [
        "Three accounts account for most of the remaining value, and two of them renew this month.",
        "The numbers moved about eight percent since last week, mostly because of late invoices.",
        "Most of the delay comes from a single dependency that is waiting on legal review.",
        "The team closed twelve of the fifteen open items, and the rest have owners and dates.",
        "Usage grew steadily in the last four weeks, led by the analytics and export features.",
        "Two customers reported the same issue, which points to a configuration problem rather than a bug.",
        "The forecast assumes the current conversion rate holds through the end of the quarter.",
        "Support volume is down, but the median time to first response went up by about an hour.",
        "The largest risk is timing: the contract needs a signature before the budget freeze.",
        "Costs are within plan, although travel and tooling are slightly above the estimate.",
        "The pilot group gave positive feedback, especially about the faster search.",
        "A quick fix is available, and a permanent one is scheduled for the next release.",
    ]
    static let recommendations = [
        "I would start with the accounts that renew first and schedule calls this week.",
        "It would help to confirm the owner for each open item before the Friday review.",
        "I suggest we share a short summary with the stakeholders and ask for a decision by Monday.",
        "Consider splitting the work into two phases so the first results arrive sooner.",
        "If you want, I can prepare a table with the details for each account.",
        "A brief check-in with finance should settle the remaining questions.",
        "Let me know if you would like a report you can forward to the leadership team.",
    ]
    static let questions = [
        "Can you %@ %@?", "Could you %@ %@ before tomorrow's meeting?", "Please %@ %@.",
        "What changed in %@ since last week?", "Who owns %@ now, and what is the next step?",
        "I need to %@ %@ for the board. Where should I start?",
    ]
    static let agentNames = ["MainAgent", "SalesAssistant", "SupportAgent"]
    static let sources = ["web", "slack", "api", "email"]

    var random: SplitMix64

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    mutating func pick<T>(_ items: [T]) -> T {
        items[Int(random.next() % UInt64(items.count))]
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double(random.next() >> 11) / Double(1 << 53) < probability
    }

    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next() % UInt64(range.count))
    }

    mutating func title() -> String {
        let subject = pick(Self.subjects)
        return fill(pick(Self.titleTemplates), [subject.hasPrefix("the ") ? String(subject.dropFirst(4)) : subject])
    }

    mutating func question() -> String {
        fill(pick(Self.questions), [pick(Self.verbs), pick(Self.subjects)])
    }

    /// A reply in paragraphs about `topic`: an opener with findings, then recommendations.
    mutating func reply(about topic: String) -> [String] {
        var first = [fill(pick(Self.openers), [topic])]
        for _ in 0..<int(2...3) { first.append(pick(Self.findings)) }
        var second: [String] = []
        for _ in 0..<int(1...2) { second.append(pick(Self.recommendations)) }
        return [first.joined(separator: " "), second.joined(separator: " ")]
    }

    private func fill(_ template: String, _ values: [String]) -> String {
        var result = ""
        var remaining = values[...]
        var rest = Substring(template)
        while let range = rest.range(of: "%@") {
            result += rest[..<range.lowerBound]
            result += remaining.popFirst() ?? ""
            rest = rest[range.upperBound...]
        }
        result += rest
        return result.prefix(1).uppercased() + result.dropFirst()
    }

    /// The topic a reply talks about: a subject the prompt names, else its longest words.
    static func topic(of prompt: String) -> String {
        let lowered = prompt.lowercased()
        if let subject = subjects.first(where: { lowered.contains($0.dropFirst(4).lowercased()) }) {
            return subject
        }
        let words = prompt.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        let stopWords: Set<String> = ["there", "their", "about", "could", "would", "should", "please", "thanks", "hello",
                                      "what", "when", "where", "which", "with", "this", "that", "have", "from", "your", "tell"]
        let chosen = words.filter { $0.count > 3 && !stopWords.contains($0.lowercased()) }.prefix(3)
        return chosen.isEmpty ? "your question" : "\"" + chosen.joined(separator: " ") + "\""
    }

    /// A title derived from a seed message: its first words, capitalized, at most 60 characters.
    static func title(from seedMessage: String) -> String {
        let words = seedMessage.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
            .map { String($0.filter { !$0.isPunctuation || $0 == "-" || $0 == "'" }) }
            .filter { !$0.isEmpty }
        guard !words.isEmpty else { return "Untitled conversation" }
        var title = ""
        for word in words.prefix(8) {
            let candidate = title.isEmpty ? word : title + " " + word
            if candidate.count > 60 { break }
            title = candidate
        }
        if title.isEmpty { title = String(words[0].prefix(60)) }
        return title.prefix(1).uppercased() + title.dropFirst()
    }
}
