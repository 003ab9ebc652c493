import Foundation
import Logging

/// The agent that answers: stores the user turn, composes a deterministic reply from the
/// prompt and the seed, streams it as deltas at the configured pace and stores the result.
///
/// The assistant turn is `in-progress` (with an in-progress fragment, visible to listings)
/// while it streams and ends `done`, `stopped` (cancelled) or `error` (the stream failed).
/// Prompts mentioning "table" or "report" also produce a CSV file and a data frame.
final class ReplyEngine: Sendable {
    /// What a reply ended as.
    struct Outcome: Sendable {
        var userMessageID: String
        var assistantMessageID: String
        var text: String
        var state: String
    }

    let store: EmulatorStore
    let runs: RunRegistry
    let seed: UInt64
    let deltaInterval: Duration
    let replyDelay: Duration

    init(store: EmulatorStore, runs: RunRegistry, seed: UInt64, deltaInterval: Duration, replyDelay: Duration) {
        self.store = store
        self.runs = runs
        self.seed = seed
        self.deltaInterval = deltaInterval
        self.replyDelay = replyDelay
    }

    /// The reply's paragraphs for a prompt: the same prompt and seed give the same text.
    func compose(_ prompt: String) -> [String] {
        var generator = TextGenerator(seed: SplitMix64.hash(prompt, seed: seed ^ 0xA11CE))
        return generator.reply(about: TextGenerator.topic(of: prompt))
    }

    /// Splits paragraphs into deltas of one to three words; each word keeps its leading
    /// space, and the blank line between paragraphs travels with the next word.
    static func deltas(_ paragraphs: [String]) -> [String] {
        var deltas: [String] = []
        for (index, paragraph) in paragraphs.enumerated() {
            let words = paragraph.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            var position = 0
            var first = true
            while position < words.count {
                let count = min(1 + (position % 3), words.count - position)
                var chunk = words[position..<(position + count)].joined(separator: " ")
                if first {
                    if index > 0 { chunk = MessageDetail.fragmentSeparator + chunk }
                    first = false
                } else {
                    chunk = " " + chunk
                }
                deltas.append(chunk)
                position += count
            }
        }
        return deltas
    }

    /// Answers `prompt` in a conversation, handing each delta to `emit`.
    ///
    /// - Throws: `conversation_not_found`, `unprocessable` (deleted conversation); whatever
    ///   `emit` throws, after marking the turn `error`.
    func answer(
        conversationID: String, tenantID: String, prompt: String, runID: String? = nil, streaming: Bool,
        started: (MessageRecord, MessageRecord) async throws -> Void = { _, _ in },
        emit: (String) async throws -> Void = { _ in }
    ) async throws -> Outcome {
        let (user, assistant) = try await store.startExchange(conversationID: conversationID, tenantID: tenantID, prompt: prompt)
        if let runID { runs.start(runID, conversationID: conversationID) }
        defer { if let runID { runs.finish(runID) } }
        let paragraphs = compose(prompt)
        let deltas = Self.deltas(paragraphs)
        var text = ""
        do {
            try await started(user, assistant)
            if !streaming, replyDelay > .zero { try await Task.sleep(for: replyDelay) }
            for (index, delta) in deltas.enumerated() {
                if let runID, runs.isCancelled(runID) {
                    try await store.updateReply(messageID: assistant.id, paragraphs: Self.paragraphs(of: text), state: "stopped")
                    return Outcome(userMessageID: user.id, assistantMessageID: assistant.id, text: text, state: "stopped")
                }
                if streaming, deltaInterval > .zero { try await Task.sleep(for: deltaInterval) }
                text += delta
                try await emit(delta)
                if streaming, index % 8 == 7 {
                    try await store.updateReply(messageID: assistant.id, paragraphs: Self.paragraphs(of: text), state: "in-progress")
                }
            }
        } catch {
            try? await store.updateReply(
                messageID: assistant.id, paragraphs: Self.paragraphs(of: text), state: "error",
                errorDetail: "the reply stream was interrupted")
            throw error
        }
        try await store.updateReply(messageID: assistant.id, paragraphs: paragraphs, state: "done")
        let lowered = prompt.lowercased()
        if lowered.contains("table") || lowered.contains("report") {
            try await attachReport(conversationID: conversationID, tenantID: tenantID, prompt: prompt)
        }
        return Outcome(userMessageID: user.id, assistantMessageID: assistant.id, text: text, state: "done")
    }

    static func paragraphs(of text: String) -> [String] {
        text.components(separatedBy: MessageDetail.fragmentSeparator)
    }

    /// Stores a CSV file and a data frame derived from the prompt.
    private func attachReport(conversationID: String, tenantID: String, prompt: String) async throws {
        let (name, columns, rows) = ReportBuilder.table(seed: SplitMix64.hash(prompt, seed: seed ^ 0x7AB1E), conversationID: conversationID)
        try await store.putDataFrame(conversationID: conversationID, tenantID: tenantID, name: name, columns: columns, rows: rows)
        let csv = ReportBuilder.csv(columns: columns, rows: rows)
        _ = try await store.addFiles(
            conversationID: conversationID, tenantID: tenantID,
            files: [(name: "\(name).csv", contentType: "text/csv", bytes: Data(csv.utf8))], direction: "output")
    }
}
