/// Collects what handlers saw, in order, for assertions.
actor Recorder<Entry: Sendable> {
    private(set) var entries: [Entry] = []
    func record(_ entry: Entry) { entries.append(entry) }

    /// Waits (bounded) until `predicate` holds for the entries.
    func waitUntil(timeout: Duration = .seconds(10), _ predicate: @Sendable ([Entry]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if predicate(entries) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return predicate(entries)
    }
}

/// Polls `condition` (bounded) until it holds.
func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
