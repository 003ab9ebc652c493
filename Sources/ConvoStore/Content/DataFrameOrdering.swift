import ConvoModel

/// How data frame cells compare when a slice is ordered by a column: the remote's documented
/// order (v2 `order_by`: ascending, nulls first, ties by row position), with values of mixed
/// types ranked null, booleans, numbers, strings (false before true; numbers by value,
/// integers exactly; strings as Swift compares them).
enum DataFrameOrdering {
    /// Whether `left` sorts before `right`.
    static func less(_ left: JSONValue, _ right: JSONValue) -> Bool {
        let (leftRank, rightRank) = (rank(left), rank(right))
        if leftRank != rightRank { return leftRank < rightRank }
        switch (left, right) {
        case (.bool(let a), .bool(let b)): return !a && b
        case (.int(let a), .int(let b)): return a < b
        case (.string(let a), .string(let b)): return a < b
        default:
            if let a = number(left), let b = number(right) { return a < b }
            return false
        }
    }

    /// Row positions of `rows` ordered by the cell at `column`, ties by position; `descending`
    /// reverses the cell order and keeps ties by position.
    static func order(_ rows: [[JSONValue]], byColumn column: Int, descending: Bool) -> [Int] {
        func cell(_ row: Int) -> JSONValue { rows[row].indices.contains(column) ? rows[row][column] : .null }
        return rows.indices.sorted { a, b in
            let (left, right) = (cell(a), cell(b))
            let before = descending ? less(right, left) : less(left, right)
            let after = descending ? less(left, right) : less(right, left)
            if before { return true }
            if after { return false }
            return a < b
        }
    }

    private static func rank(_ value: JSONValue) -> Int {
        switch value {
        case .null: 0
        case .bool: 1
        case .int, .double: 2
        case .string: 3
        case .array, .object: 4
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }
}
