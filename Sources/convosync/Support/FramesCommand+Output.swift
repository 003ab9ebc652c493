import ConvoStore
import ConvoSync
import Foundation

/// How `frames` prints a frame list and a slice, for a person or (`--json`) a script.
extension FramesCommand {
    func list(_ frames: [StoredDataFrame], terminal: Terminal) throws {
        if json {
            try printJSON(frames.map { FrameDocument(name: $0.name, columns: $0.columns, rowCount: $0.rowCount, cached: $0.rowsCached) })
            return
        }
        guard !frames.isEmpty else {
            print("No data frames.")
            return
        }
        let rows = frames.map { frame in
            [
                TextLayout.printable(frame.name), frame.rowCount.map(String.init) ?? "?", frame.rowsCached ? "cached" : "",
                TextLayout.printable(frame.columns.joined(separator: ", ")),
            ]
        }
        for line in TextLayout.table(header: ["NAME", "ROWS", "LOCAL", "COLUMNS"], rows: rows, width: terminal.width) {
            print(line)
        }
    }

    func show(_ slice: StoredDataFrameSlice, terminal: Terminal) throws {
        if json {
            try printJSON(SliceDocument(name: slice.name, columns: slice.columns, rows: slice.rows, rowCount: slice.rowCount, offset: slice.offset))
            return
        }
        let rows = slice.rows.map { row in row.map { TextLayout.printable(Self.cell($0)) } }
        for line in TextLayout.table(header: slice.columns.map(TextLayout.printable), rows: rows, width: terminal.width) {
            print(line)
        }
        print(terminal.dim("rows \(slice.offset + 1)-\(slice.offset + slice.rows.count) of \(slice.rowCount)"))
    }

    /// A cell as a person reads it: strings bare, null empty, numbers and booleans as JSON.
    static func cell(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .null: return ""
        default:
            guard let data = try? JSONEncoder().encode(value) else { return "?" }
            return String(decoding: data, as: UTF8.self)
        }
    }
}

/// One frame in `frames --json`.
struct FrameDocument: Encodable {
    let name: String
    let columns: [String]
    let rowCount: Int?
    let cached: Bool

    enum CodingKeys: String, CodingKey {
        case name, columns, cached
        case rowCount = "row_count"
    }
}

/// A slice in `frames NAME --json`.
struct SliceDocument: Encodable {
    let name: String
    let columns: [String]
    let rows: [[JSONValue]]
    let rowCount: Int
    let offset: Int

    enum CodingKeys: String, CodingKey {
        case name, columns, rows, offset
        case rowCount = "row_count"
    }
}
