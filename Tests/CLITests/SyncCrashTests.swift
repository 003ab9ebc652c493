import ConvoEmulator
import ConvoModel
import ConvoStore
import EmulatorSupport
import Foundation
import GRDB
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `convosync sync` killed with SIGKILL at random instants: the replica stays sound and a
/// final sync converges (DESIGN "Sync": every write commits with its bookkeeping).
@Suite("convosync sync survives SIGKILL")
struct SyncCrashTests {
    @Test("killed at random points many times, the replica passes integrity_check and a final sync converges with no duplicate turn and no lost outbox op",
          arguments: [Dialect.agentflow, .turns])
    func killedRepeatedly(dialect: Dialect) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 300, turns: 3, configure: { configuration in
                configuration.adminEnabled = true
                // Every request waits a little, so a whole sync lasts long enough to be cut
                // at many points (agentflow reads each conversation; turns lists them whole).
                configuration.faults.latency = .milliseconds(dialect == .turns ? 250 : 15)
            }) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("replica.convosync").path
                let arguments = ["sync", "--db", db] + (try SyncSetup.accountArguments(dialect, on: emulator))
                let environment = setup.environment(dialect, on: emulator)
                let admin = EmulatorAdmin(emulator)
                var generator = SeededGenerator(seed: dialect == .turns ? 7 : 11)
                var killedWhileRunning = 0
                var notes: [String] = []

                // How long one uninterrupted sync takes here, into a scratch replica: the kills
                // below are timed against it, so they land mid-work on a fast or a slow machine.
                let started = ContinuousClock.now
                let calibration = try await Convosync.run(
                    ["sync", "--db", folder.appendingPathComponent("calibration.convosync").path]
                        + (try SyncSetup.accountArguments(dialect, on: emulator)),
                    environment: environment, timeout: .seconds(600))
                try #require(calibration.status == 0, "\(calibration.standardError)")
                let fullSync = ContinuousClock.now - started
                let longestDelay = max(50, Int(fullSync.components.seconds * 1000 + fullSync.components.attoseconds / 1_000_000_000_000_000))

                // Twelve rounds, and more (up to 30) while fewer than eight had a replica to
                // queue a note in: on a slow machine the first rounds can all be killed before
                // the initial pass commits its first page.
                var round = 0
                while round < 12 || (dialect != .turns && notes.count < 8 && round < 30) {
                    defer { round += 1 }
                    let process = try Convosync.start(arguments, environment: environment)
                    // Anywhere in a full sync on odd rounds; within its first third on even
                    // ones, so the later, smaller syncs and pushes are cut as well.
                    let upper = round.isMultiple(of: 2) ? max(50, longestDelay / 3) : longestDelay
                    let delay = Int.random(in: 10...upper, using: &generator)
                    try await Task.sleep(for: .milliseconds(delay))
                    if process.isRunning {
                        kill(process.processIdentifier, SIGKILL)
                    }
                    try await Convosync.waitForExit(process)
                    if process.terminationReason == .uncaughtSignal { killedWhileRunning += 1 }

                    try await expectSound(db, round: round)

                    // Offline writes wait in the outbox; the next runs push them and may be
                    // killed mid-push (turns is read-only: it has no outbox to push).
                    if dialect != .turns, let note = try await enqueueNote(round: round, in: db, using: &generator) {
                        notes.append(note)
                    }

                    // The remote moves on between kills, as it would in life.
                    let live = try await EmulatorHarness.truth(emulator).filter { ($0["deleted_at"] ?? NSNull()) is NSNull }
                    if let id = live.randomElement(using: &generator)?["id"] as? String {
                        try await admin.append(to: id, content: "Follow-up \(round)")
                    }
                }
                #expect(killedWhileRunning >= 1, "no run was killed mid-sync: the test exercised nothing")

                let final = try await Convosync.run(arguments, environment: environment, timeout: .seconds(600))
                #expect(final.status == 0, "\(final.standardError)")
                let replica = try Replica.openExisting(at: db)
                #expect(try await replica.integrityCheck() == [])
                let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: dialect, on: emulator)
                try replica.close()
                #expect(local == remote)
                let turnIDs = local.flatMap { $0.turns.map(\.id) }
                #expect(Set(turnIDs).count == turnIDs.count, "a turn is held twice")

                // No outbox op lost, none applied twice: each note is one user turn, remotely
                // and in the replica, and nothing waits or failed.
                if dialect != .turns {
                    #expect(notes.count >= 8, "too few rounds had a replica to write into")
                    let check = try Replica.openExisting(at: db)
                    let pending = try await check.pendingOutbox()
                    try check.close()
                    #expect(pending.isEmpty, "ops left in the outbox: \(pending.map { "\($0.kind) \($0.state)" })")
                    let truth = try await EmulatorHarness.truth(emulator)
                    let remoteTexts = truth.flatMap { conversation in
                        (conversation["turns"] as? [[String: Any]] ?? []).flatMap { turn in
                            (turn["fragments"] as? [[String: Any]] ?? []).compactMap { $0["content"] as? String }
                        }
                    }
                    let localTexts = local.flatMap { $0.turns.map(\.text) }
                    for note in notes {
                        #expect(remoteTexts.contains(note), "\(note) was lost")
                    }
                    // Exactly once: a run killed mid-reply leaves the op delivered, or attempted,
                    // and its retry reads the remote before it sends (the default emulator keeps
                    // no replay of a cut stream).
                    for note in notes {
                        #expect(remoteTexts.filter { $0 == note }.count == 1, "\(note) on the remote")
                        #expect(localTexts.filter { $0 == note }.count == 1, "\(note) in the replica")
                    }
                }

                let export = try await Convosync.run(["export", "--db", db])
                let ids = try SyncSetup.exportedIDs(export.output)
                #expect(ids == remote.map(\.id))
            }
        }
    }

    @Test("killed during streamed sends, every queued message is on the remote exactly once: on the strict platform (no replay of a cut stream) and on a lenient one",
          arguments: [false, true])
    func killedDuringStreamedSends(replayCutStreams: Bool) async throws {
        try await withTemporaryDirectory { folder in
            try await EmulatorHarness.withSeededEmulator(conversations: 4, turns: 2, configure: { configuration in
                configuration.replayCutStreams = replayCutStreams
                // A reply streams for a while (a few hundred ms), and every request waits 40 ms
                // first, so kills can land between a send's attempt and its reply, and inside it.
                configuration.deltaInterval = .milliseconds(4)
                configuration.faults.latency = .milliseconds(40)
            }) { emulator in
                let setup = SyncSetup(folder: folder)
                let db = folder.appendingPathComponent("replica.convosync").path
                let arguments = ["sync", "--db", db] + (try SyncSetup.accountArguments(.agentflow, on: emulator))
                let environment = setup.environment(.agentflow, on: emulator)
                let first = try await Convosync.run(arguments, environment: environment, timeout: .seconds(120))
                try #require(first.status == 0, "\(first.standardError)")
                var generator = SeededGenerator(seed: replayCutStreams ? 23 : 19)

                // One uninterrupted sync pushing one note: the kills are timed against how long
                // its send took, from the attempt recorded to the op completed.
                var notes: [String] = []
                let calibrationNote = try #require(try await enqueueNote(round: 100, in: db, using: &generator))
                notes.append(calibrationNote)
                let calibration = try Convosync.start(arguments, environment: environment)
                try #require(try await Self.waitUntilAttempted(calibrationNote, in: db, while: calibration))
                let attempted = ContinuousClock.now
                while try Self.noteState(calibrationNote, in: db).present, calibration.isRunning {
                    try await Task.sleep(for: .milliseconds(5))
                }
                let send = ContinuousClock.now - attempted
                try await Convosync.waitForExit(calibration)
                try #require(calibration.terminationStatus == 0, "the calibration sync failed")
                let sendWindow = max(50, Int(send.components.seconds * 1000 + send.components.attoseconds / 1_000_000_000_000_000))

                var cutBeforeReply = 0
                var cutInReply = 0
                for round in 0..<12 {
                    let note = try await enqueueNote(round: round, in: db, using: &generator)
                    if let note { notes.append(note) }
                    let process = try Convosync.start(arguments, environment: environment)
                    if round % 3 == 2 {
                        // Anywhere in the run, now and then.
                        try await Task.sleep(for: .milliseconds(Int.random(in: 10...(sendWindow * 2), using: &generator)))
                    } else if let note, try await Self.waitUntilAttempted(note, in: db, while: process) {
                        // Inside this round's send: while the request waits for its reply's first
                        // event (the remote may or may not hold the message yet), or in the reply.
                        let delay = round.isMultiple(of: 2)
                            ? Int.random(in: 0...25, using: &generator) : Int.random(in: 40...max(41, sendWindow), using: &generator)
                        try await Task.sleep(for: .milliseconds(delay))
                    }
                    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                    try await Convosync.waitForExit(process)
                    try await expectSound(db, round: round)
                    // What the kill left: an op attempted with no reply yet, or one whose reply began.
                    let left = try Self.attemptedOps(db)
                    cutBeforeReply += left.beforeReply
                    cutInReply += left.inReply
                }
                #expect(cutBeforeReply + cutInReply >= 4, "too few kills landed inside a send: \(cutBeforeReply) before a reply, \(cutInReply) in one")

                let final = try await Convosync.run(arguments, environment: environment, timeout: .seconds(120))
                #expect(final.status == 0, "\(final.standardError)")
                let replica = try Replica.openExisting(at: db)
                #expect(try await replica.integrityCheck() == [])
                #expect(try await replica.pendingOutbox().isEmpty)
                let (local, remote) = try await EmulatorHarness.comparison(replica, dialect: .agentflow, on: emulator)
                try replica.close()
                #expect(local == remote)
                let remoteUserTexts = remote.flatMap { $0.turns.filter { $0.role == "user" }.map(\.text) }
                let localUserTexts = local.flatMap { $0.turns.filter { $0.role == "user" }.map(\.text) }
                for note in notes {
                    #expect(remoteUserTexts.filter { $0 == note }.count == 1, "\(note) on the remote")
                    #expect(localUserTexts.filter { $0 == note }.count == 1, "\(note) in the replica")
                }
            }
        }
    }

    /// Whether the note's op is still in the outbox, and whether an attempt of it began.
    private static func noteState(_ note: String, in db: String) throws -> (present: Bool, attempted: Bool) {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: db, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let attempted = try Int64?.fetchOne(
                db, sql: "SELECT attempted_at FROM outbox WHERE json_extract(payload, '$.text') = ?", arguments: [note])
            return (attempted != nil, attempted.flatMap { $0 } != nil)
        }
    }

    /// Waits until an attempt of the note's op began (`true`), or it is gone or the process ended (`false`).
    private static func waitUntilAttempted(_ note: String, in db: String, while process: Process) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline {
            let state = try noteState(note, in: db)
            if state.attempted { return true }
            if !state.present { return false }
            try await Task.sleep(for: .milliseconds(2))
        }
        return false
    }

    /// The outbox ops a kill left attempted: with no reply begun, and with one begun (delivered).
    private static func attemptedOps(_ db: String) throws -> (beforeReply: Int, inReply: Int) {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(10)
        let queue = try DatabaseQueue(path: db, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            let before = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM outbox WHERE attempted_at IS NOT NULL AND delivered_at IS NULL") ?? 0
            let inReply = try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox WHERE delivered_at IS NOT NULL") ?? 0
            return (before, inReply)
        }
    }

    /// Queues a message in one of the replica's conversations, as an app writing offline
    /// would; returns its text, or `nil` while the replica holds no conversation yet.
    private func enqueueNote(round: Int, in db: String, using generator: inout SeededGenerator) async throws -> String? {
        guard FileManager.default.fileExists(atPath: db),
            let replica = try? Replica.openExisting(at: db)
        else { return nil }
        defer { try? replica.close() }
        let page = try await replica.conversations(ConversationQuery(limit: 50))
        guard let target = page.items.randomElement(using: &generator)?.remoteID else { return nil }
        let text = "Offline note \(round) \(UInt32.random(in: 0 ... .max, using: &generator))"
        try await replica.enqueue(
            .sendMessage(text: text), in: .remote(target), idempotencyKey: "crash-note-\(round)-\(UUID().uuidString)", at: Date())
        return text
    }

    /// Opens the replica as it was left and runs `PRAGMA integrity_check`; a file the kill
    /// left empty (before its first migration committed) is sound by definition.
    private func expectSound(_ db: String, round: Int) async throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: db)[.size] as? Int) ?? 0
        guard size > 0 else { return }
        let replica: Replica
        do {
            replica = try Replica.openExisting(at: db)
        } catch let error as StoreError where error.code == .notAReplica && error.message.contains("empty") {
            return
        }
        let problems = try await replica.integrityCheck()
        try replica.close()
        #expect(problems == [], "round \(round): \(problems)")
    }
}
