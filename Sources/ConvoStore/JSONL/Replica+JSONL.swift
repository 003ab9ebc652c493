import ConvoModel
import Foundation
import GRDB

extension Replica {
    /// Writes the replica as JSONL, one conversation per call of `write`, ordered by remote id.
    ///
    /// Each line is one JSON object without its line terminator; append `"\n"` when writing
    /// it out. Soft-deleted conversations and turns are included with their `deleted_at`;
    /// purged ones, conversations with no remote id yet and turns with none (messages waiting
    /// in the outbox) are not. Lines stream from one
    /// read snapshot: the replica is never loaded whole, and writers are not blocked.
    /// `write` runs inside that read and must not call back into the replica.
    ///
    ///     try replica.export { line in handle.write(Data((line + "\n").utf8)) }
    ///
    /// Returns the number of conversations written.
    ///
    /// - Throws: `StoreError` `.database`, or what `write` throws (rethrown as is).
    @discardableResult
    public func export(to write: (String) throws -> Void) throws -> Int {
        var count = 0
        do {
            try pool.read { db in
                let conversations = try ConversationRecord.fetchCursor(
                    db,
                    sql: "SELECT * FROM conversation WHERE remote_id IS NOT NULL AND purged_at IS NULL ORDER BY remote_id")
                while let record = try conversations.next() {
                    guard let localID = record.id else { continue }
                    // Turns still waiting in the outbox have no remote id: not part of the export.
                    let turns = try ConversationQueries.fetchTurns(
                        sql: "conversation_id = ? AND remote_id IS NOT NULL", arguments: [localID], limit: nil, db)
                    let line = try JSONLCodec.encode(JSONLConversation(record.conversation(), turns: turns.map(\.turn)))
                    do {
                        try write(line)
                    } catch {
                        throw WriterError(error: error)
                    }
                    count += 1
                }
            }
        } catch let error as WriterError {
            throw error.error
        } catch {
            throw StoreError.wrapping(error, path: path)
        }
        return count
    }

    /// Imports JSONL lines (the ``export(to:)`` format), idempotently.
    ///
    /// Each good line upserts its conversation by remote id and makes its turns exactly the
    /// line's; a line identical to the replica writes nothing. A bad line (invalid JSON, a
    /// wrong type, an unknown role or state, a missing id) is reported with its 1-based
    /// number and skipped; every good line is kept. Lines are applied `batchSize` per
    /// transaction, read and written as one page (a batch in which a line breaks a constraint
    /// is written again line by line, each in a savepoint), so memory stays flat; a batch is
    /// written while the next is read and decoded. Blank lines are
    /// skipped. Message counts and context lengths, which the format does not carry, keep
    /// their stored values.
    ///
    ///     let report = try await replica.importJSONL(lines: LineReader(fileHandle: .standardInput))
    ///
    /// - Throws: `StoreError` `.database`, or what `lines` throws (lines before it stay imported).
    public func importJSONL<Lines: AsyncSequence>(lines: Lines, batchSize: Int = 500) async throws -> ImportReport
    where Lines.Element == String {
        var importer = JSONLImporter(replica: self, batchSize: batchSize)
        do {
            for try await line in lines {
                try await importer.add(.text(line))
            }
        } catch {
            await importer.abandon()
            throw error
        }
        let report = try await importer.finish()
        await mergeAfterImport()
        return report
    }

    /// Imports JSONL from a file or a pipe (stdin too), reading it in chunks.
    ///
    /// Like ``importJSONL(lines:batchSize:)``; a line that is not UTF-8, or longer than
    /// `maximumLineBytes` (default 64 MiB), is rejected as a bad line.
    ///
    ///     let report = try await replica.importJSONL(from: .standardInput)
    ///
    /// - Throws: `StoreError` `.database`, or the read error of `fileHandle`.
    public func importJSONL(
        from fileHandle: FileHandle, batchSize: Int = 500, maximumLineBytes: Int = LineReader.defaultMaximumLineBytes
    ) async throws -> ImportReport {
        var importer = JSONLImporter(replica: self, batchSize: batchSize)
        var reader = LineReader(fileHandle: fileHandle, maximumLineBytes: maximumLineBytes)
        do {
            while let line = try reader.nextRawLine() {
                switch line {
                case .bytes(let bytes):
                    if let text = String(validating: bytes, as: UTF8.self) {
                        try await importer.add(.text(text))
                    } else {
                        try await importer.add(.invalid("not valid UTF-8"))
                    }
                case .tooLong:
                    try await importer.add(.invalid("longer than \(reader.maximumLineBytes) bytes"))
                }
            }
        } catch {
            await importer.abandon()
            throw error
        }
        let report = try await importer.finish()
        await mergeAfterImport()
        return report
    }

    /// Merges the search index after an import that grew it. The lines are committed by now:
    /// a merge that fails (a full disk, say) costs only search speed and is tried again after
    /// the next sync or import, so it must not turn a finished import into an error.
    private func mergeAfterImport() async {
        _ = try? await mergeSearchIndexIfGrown()
    }
}

/// An error thrown by the caller's `write` closure, carried out of the read unchanged.
private struct WriterError: Error {
    var error: any Error

}

/// Decodes lines and applies them in batches, keeping the report. A batch is written while
/// the next one is read and decoded (one write in flight), so an import uses both the
/// decoding's core and SQLite's.
struct JSONLImporter {
    typealias Outcomes = [(line: Int, outcome: Result<WriteOutcome, StoreError>)]

    enum Input {
        case text(String)
        case invalid(String)
    }

    /// A batch handed to the writer: its lines' write and the lines of it that were rejected
    /// before writing, reported together in line order when the write ends.
    private struct Written {
        var write: Task<Outcomes, any Error>
        var rejected: Outcomes
    }

    let replica: Replica
    let batchSize: Int
    private var report = ImportReport()
    private var batch: [(line: Int, conversation: JSONLConversation)] = []
    private var rejected: Outcomes = []
    private var written: Written?
    /// Whether a batch was handed to the writer yet.
    private var started = false

    init(replica: Replica, batchSize: Int) {
        self.replica = replica
        self.batchSize = max(1, batchSize)
    }

    mutating func add(_ input: Input) async throws {
        report.linesRead += 1
        let number = report.linesRead
        switch input {
        case .invalid(let message):
            rejected.append((number, .failure(StoreError(.invalidImportLine, message))))
        case .text(let text):
            if text.allSatisfy(\.isWhitespace) { return }
            switch JSONLCodec.decode(text) {
            case .invalid(let message): rejected.append((number, .failure(StoreError(.invalidImportLine, message))))
            case .conversation(let conversation): batch.append((number, conversation))
            }
        }
        // The first batch is an eighth of the others, so that the writer starts early: until
        // the first write, reading and decoding had the import to themselves.
        if batch.count + rejected.count >= (started ? batchSize : max(1, batchSize / 8)) { try await flush() }
    }

    mutating func finish() async throws -> ImportReport {
        try await flush()
        try await settle()
        return report
    }

    /// Writes what was read, when the input fails: the lines before the error stay imported,
    /// and nothing of the import runs after it returns.
    mutating func abandon() async {
        _ = try? await flush()
        _ = try? await settle()
        written = nil
    }

    /// Starts writing the batch read so far, once the one before it is written.
    private mutating func flush() async throws {
        guard !batch.isEmpty || !rejected.isEmpty else { return }
        let lines = batch
        let replica = replica
        let batchRejected = rejected
        batch = []
        rejected = []
        try await settle()
        started = true
        written = Written(write: Task { lines.isEmpty ? [] : try await Self.write(lines, replica) }, rejected: batchRejected)
    }

    /// Waits for the batch being written and reports its lines.
    private mutating func settle() async throws {
        guard let batch = written else { return }
        written = nil
        let outcomes = try await batch.write.value
        for (number, outcome) in (outcomes + batch.rejected).sorted(by: { $0.line < $1.line }) {
            switch outcome {
            case .success(.inserted): report.inserted += 1
            case .success(.updated): report.updated += 1
            case .success(.unchanged): report.unchanged += 1
            case .failure(let error): report.reject(line: number, error.message)
            }
        }
    }

    /// The batch in a transaction of its own, with no savepoint: a savepoint would copy every
    /// page the batch changes into a journal, in case it were rolled back. A batch that breaks
    /// a constraint rolls back whole and is written again, line by line.
    private static func write(_ lines: [(line: Int, conversation: JSONLConversation)], _ replica: Replica) async throws -> Outcomes {
        do {
            return try await replica.writing { db in try Self.writeBatch(lines, db) }
        } catch let error as StoreError where error.code == .invalidArgument || error.isConstraintViolation {
            return try await replica.writing { db in try Self.writeLineByLine(lines, db) }
        }
    }

    /// The batch's lines through one ``PageWriter``, no savepoint per line: a line with an empty
    /// conversation or turn id is refused before anything of it is written. Throws (and the
    /// caller rolls the batch back and writes it line by line) when a line breaks a constraint.
    private static func writeBatch(
        _ lines: [(line: Int, conversation: JSONLConversation)], _ db: Database
    ) throws -> Outcomes {
        var writer = try PageWriter(
            conversationIDs: lines.map { $0.conversation.conversation.id },
            turnIDs: lines.flatMap { $0.conversation.turns.map(\.turn.id) }, fields: .exported, db)
        var outcomes: Outcomes = []
        outcomes.reserveCapacity(lines.count)
        for (number, conversation) in lines {
            if conversation.conversation.id.isEmpty {
                outcomes.append((number, .failure(StoreError(.invalidArgument, "a conversation's remote id must not be empty"))))
                continue
            }
            let turns = conversation.turns.map(\.turn)
            if turns.contains(where: { $0.id.isEmpty }) {
                outcomes.append((number, .failure(StoreError(.invalidArgument, "a turn's remote id must not be empty"))))
                continue
            }
            let (localID, written) = try writer.upsert(conversation.conversation, pass: nil)
            let turnsChanged = try writer.writeTurns(turns, conversationID: localID, mode: .replace)
            outcomes.append((number, .success(written == .unchanged && turnsChanged ? .updated : written)))
        }
        try writer.finish()
        return outcomes
    }

    /// Each line in its own savepoint, so a line that breaks a constraint is rejected and the
    /// others kept.
    private static func writeLineByLine(
        _ lines: [(line: Int, conversation: JSONLConversation)], _ db: Database
    ) throws -> Outcomes {
        var outcomes: Outcomes = []
        for (number, conversation) in lines {
            var outcome = WriteOutcome.unchanged
            do {
                try db.inSavepoint {
                    let turns = conversation.turns.map(\.turn)
                    var writer = try PageWriter(
                        conversationIDs: [conversation.conversation.id], turnIDs: turns.map(\.id), fields: .exported, db)
                    let (localID, written) = try writer.upsert(conversation.conversation, pass: nil)
                    let turnsChanged = try writer.writeTurns(turns, conversationID: localID, mode: .replace)
                    try writer.finish()
                    outcome = written == .unchanged && turnsChanged ? .updated : written
                    return .commit
                }
                outcomes.append((number, .success(outcome)))
            } catch let error as StoreError where error.code == .invalidArgument {
                outcomes.append((number, .failure(error)))
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                outcomes.append((number, .failure(StoreError(.invalidImportLine, "violates a replica constraint"))))
            }
        }
        return outcomes
    }
}
