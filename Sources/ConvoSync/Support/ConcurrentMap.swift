extension Array where Element: Sendable {
    /// `transform` applied to every element, at most `width` calls at once, results in the
    /// elements' order: how a page's conversations are read without flooding the remote.
    func concurrentMap<Result: Sendable>(
        width: Int, _ transform: @escaping @Sendable (Element) async throws -> Result
    ) async throws -> [Result] {
        guard !isEmpty else { return [] }
        var results: [Result?] = Array<Result?>(repeating: nil, count: count)
        try await withThrowingTaskGroup(of: (Int, Result).self) { group in
            var next = 0
            func startNext() {
                guard next < count else { return }
                let index = next
                let element = self[index]
                group.addTask { (index, try await transform(element)) }
                next += 1
            }
            for _ in 0..<Swift.max(1, width) { startNext() }
            while let (index, result) = try await group.next() {
                results[index] = result
                startNext()
            }
        }
        return results.compactMap { $0 }
    }
}
