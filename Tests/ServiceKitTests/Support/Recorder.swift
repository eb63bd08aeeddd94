/// Collects what handlers and providers saw, in order, for assertions.
actor Recorder {
    private(set) var entries: [String] = []
    func record(_ entry: String) { entries.append(entry) }

    /// Waits (bounded) until `predicate` holds for the entries.
    func waitUntil(timeout: Duration = .seconds(5), _ predicate: @Sendable ([String]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if predicate(entries) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return predicate(entries)
    }
}

/// A gate handlers wait on until the test opens it.
actor Gate {
    private var open = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    func wait() async {
        if open { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    func release() {
        open = true
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }
}
