import ConvoModel
import ConvoStore
import Foundation
import StoreReferences
import StoreWorkload

/// The store benchmark. Each mode prints `name value unit` lines that `store.sh` collects.
///
///     StoreBenchmark writes CONVERSATIONS DB      the sync's write path (applyListingPage), pages of 100
///     StoreBenchmark export DB JSONL              the JSONL export
///     StoreBenchmark import JSONL DB              the JSONL import (also reports peak memory)
///     StoreBenchmark raw CONVERSATIONS DB SCHEMA  the raw C-API reference (the replica's schema)
///     StoreBenchmark lean CONVERSATIONS DB        the lean limit: plain tables + FTS5, C API
///     StoreBenchmark queries DB                   search, list and observation latency
let turnsPerConversation = Workload.turnsPerConversation
let fragmentsPerTurn = Workload.fragmentsPerTurn

let arguments = CommandLine.arguments.dropFirst()
guard let mode = arguments.first else {
    print("usage: StoreBenchmark writes|export|import|raw|lean|queries ...")
    exit(64)
}
let operands = Array(arguments.dropFirst())

func generate(_ count: Int) -> [(Conversation, [Turn])] { Workload.generate(count) }

switch mode {
case "writes":
    let count = Int(operands[0]) ?? 50_000
    let data = generate(count)
    let replica = try Replica.open(at: operands[1], account: Workload.account())
    // The sync's own write path: one transaction per listing page of 100.
    let elapsed = try await Measure.seconds { try await Workload.writeListingPages(data, to: replica) }
    Measure.report("writes.fragments_per_s", Double(count * turnsPerConversation * fragmentsPerTurn) / elapsed, "fragments/s")
    Measure.report("writes.seconds", elapsed, "s")
    // What the engine does once a sync ends: merge the index the pages left in segments.
    let merge = try await Measure.seconds { try await replica.mergeSearchIndexIfGrown() }
    Measure.report("writes.merge_seconds", merge, "s")

case "export":
    let replica = try Replica.openExisting(at: operands[0])
    var lines = 0
    let elapsed = try await Measure.seconds { lines = try Workload.export(replica, toFile: operands[1]) }
    Measure.report("export.conversations_per_s", Double(lines) / elapsed, "conversations/s")
    Measure.report("export.seconds", elapsed, "s")

case "import":
    let replica = try Replica.openForImport(at: operands[1])
    var report = ImportReport()
    let cpuStart = Measure.cpuSeconds
    let elapsed = try await Measure.seconds { report = try await Workload.importJSONL(fromFile: operands[0], into: replica) }
    let cpu = Measure.cpuSeconds - cpuStart
    let fragments = Double((report.inserted + report.updated + report.unchanged) * turnsPerConversation * fragmentsPerTurn)
    Measure.report("import.fragments_per_s", fragments / elapsed, "fragments/s")
    Measure.report("import.fragments_per_cpu_s", fragments / cpu, "fragments/s")
    Measure.report("import.seconds", elapsed, "s")
    Measure.report("import.conversations", Double(report.inserted + report.updated + report.unchanged), "conversations")
    Measure.report("import.rejected", Double(report.rejectedCount), "lines")
    Measure.report("import.peak_rss", Measure.peakResidentMiB, "MiB")

case "raw":
    let count = Int(operands[0]) ?? 50_000
    let data = generate(count)
    let schema = try String(contentsOfFile: operands[2], encoding: .utf8)
    let sql = schema.split(separator: "\n").drop { !$0.hasPrefix("CREATE") }.joined(separator: "\n")
    let raw = try RawInsert(path: operands[1], schemaSQL: sql)
    let cpuStart = Measure.cpuSeconds
    let elapsed = try await Measure.seconds { try raw.insert(data) }
    let cpu = Measure.cpuSeconds - cpuStart
    raw.close()
    Measure.report("raw.fragments_per_s", Double(count * turnsPerConversation * fragmentsPerTurn) / elapsed, "fragments/s")
    Measure.report("raw.fragments_per_cpu_s", Double(count * turnsPerConversation * fragmentsPerTurn) / cpu, "fragments/s")
    Measure.report("raw.seconds", elapsed, "s")

case "lean":
    let count = Int(operands[0]) ?? 50_000
    let data = generate(count)
    let lean = try RawInsert(path: operands[1], schemaSQL: RawInsert.leanSchema)
    let cpuStart = Measure.cpuSeconds
    let elapsed = try await Measure.seconds { try lean.insert(data, indexing: RawInsert.leanIndexing) }
    let cpu = Measure.cpuSeconds - cpuStart
    lean.close()
    Measure.report("lean.fragments_per_s", Double(count * turnsPerConversation * fragmentsPerTurn) / elapsed, "fragments/s")
    Measure.report("lean.fragments_per_cpu_s", Double(count * turnsPerConversation * fragmentsPerTurn) / cpu, "fragments/s")
    Measure.report("lean.seconds", elapsed, "s")

case "queries":
    try await QueryBenchmark(path: operands[0]).run()

default:
    print("unknown mode \(mode)")
    exit(64)
}
