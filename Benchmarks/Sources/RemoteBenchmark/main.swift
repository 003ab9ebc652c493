import ConvoModel
import ConvoRemote
import Foundation
import NIOCore

// Measures (a) how fast each dialect's adapter decodes a 100-item listing page, against
// JSONSerialization of the same bytes, and (b) how fast SSEParser parses a synthetic stream.
// Each figure is the median of `runs` runs; run it in release (see ../../remote.sh).

let runs = 15

/// Fixtures/wire/<dialect>/<file>, found from this source file's path.
func fixture(_ dialect: Dialect, _ file: String) throws -> Data {
    let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    return try Data(contentsOf: root.appendingPathComponent("Fixtures/wire/\(dialect.rawValue)/\(file)"))
}

/// A listing page of 100 items: the fixture page's first item repeated with distinct ids.
func hundredItemPage(_ dialect: Dialect) throws -> Data {
    let (file, key): (String, String) =
        switch dialect {
        case .agentflow: ("list_conversations.json", "conversations")
        case .v2: ("list_conversations.json", "items")
        case .knowrithm: ("list_conversations.json", "items")
        case .turns: ("list_conversations_default_page.json", "conversations")
        }
    guard var page = try JSONSerialization.jsonObject(with: fixture(dialect, file)) as? [String: Any],
        let items = page[key] as? [[String: Any]], let template = items.first
    else { throw CocoaError(.coderReadCorrupt) }
    page[key] = (0..<100).map { index -> [String: Any] in
        var item = template
        item["id"] = String(format: "conv_%016x", index)
        return item
    }
    if dialect == .knowrithm { page["per_page"] = 100 }
    if dialect == .turns, var info = page["pageInfo"] as? [String: Any] {
        info["requestedPageSize"] = 100
        info["totalResultCount"] = 100
        page["pageInfo"] = info
    }
    return try JSONSerialization.data(withJSONObject: page)
}

/// Median seconds per iteration of `body`, over `runs` runs of `iterations` each.
func median(iterations: Int, _ body: () throws -> Void) rethrows -> Double {
    var samples: [Double] = []
    for _ in 0..<runs {
        let start = ContinuousClock.now
        for _ in 0..<iterations { try body() }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        samples.append(seconds / Double(iterations))
    }
    samples.sort()
    return samples[samples.count / 2]
}

func megabytes(_ bytes: Int) -> Double { Double(bytes) / 1_000_000 }
func format(_ value: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", value) }

print("ConvoRemote benchmark (median of \(runs) runs)")
print("")
print("(a) 100-item listing page: adapter decode vs JSONSerialization.jsonObject")
print("dialect    bytes   adapter MB/s   raw JSON MB/s   adapter/raw   pages/s")
for dialect in Dialect.allCases {
    let data = try hundredItemPage(dialect)
    let buffer = ByteBuffer(data: data)
    let check = try ListingDecoder.conversations(dialect, body: buffer)
    precondition(check.items.count == 100, "the synthetic page must decode to 100 items")
    let iterations = max(5, 2_000_000 / data.count)
    let adapter = try median(iterations: iterations) { _ = try ListingDecoder.conversations(dialect, body: buffer) }
    let raw = try median(iterations: iterations) { _ = try JSONSerialization.jsonObject(with: data) }
    let adapterRate = megabytes(data.count) / adapter
    let rawRate = megabytes(data.count) / raw
    print(
        dialect.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0),
        String(data.count).leftPadded(6), format(adapterRate).leftPadded(14), format(rawRate).leftPadded(15),
        format(adapterRate / rawRate, 2).leftPadded(13), format(1 / adapter, 0).leftPadded(9))
}

print("")
print("(b) SSEParser over a synthetic stream (4 KiB chunks)")
var stream = ""
let eventCount = 20_000
for index in 0..<eventCount {
    switch index % 4 {
    case 0: stream += "event: text_delta\ndata: {\"text\":\"delta number \(index) of the reply\"}\n\n"
    case 1: stream += "id: \(index)\nevent: conversation_update\ndata: {\"id\":\"conv_\(index)\",\"title\":\"t\"}\n\n"
    case 2: stream += "data: a delta that spans\ndata:  two lines \(index)\n\n"
    default: stream += ": keep-alive\r\ndata: crlf framed \(index)\r\n\r\n"
    }
}
let bytes = Array(stream.utf8)
let chunks = stride(from: 0, to: bytes.count, by: 4096).map { ByteBuffer(bytes: bytes[$0..<min($0 + 4096, bytes.count)]) }
var parsedEvents = 0
let parse = median(iterations: 3) {
    var parser = SSEParser()
    var count = 0
    for chunk in chunks { count += parser.parse(chunk).count }
    parsedEvents = count
}
precondition(parsedEvents == eventCount, "every synthetic event must be parsed")
print("events     bytes      events/s      MB/s")
print(
    String(eventCount).leftPadded(6), String(bytes.count).leftPadded(9), format(Double(eventCount) / parse, 0).leftPadded(13),
    format(megabytes(bytes.count) / parse).leftPadded(9))

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
