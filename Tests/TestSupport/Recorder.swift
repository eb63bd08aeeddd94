/// Collects what handlers saw, in order, for assertions.
public actor Recorder<Entry: Sendable> {
    public private(set) var entries: [Entry] = []

    public init() {}

    public func record(_ entry: Entry) { entries.append(entry) }

    /// Waits (bounded) until `predicate` holds for the entries.
    public func waitUntil(timeout: Duration = .seconds(10), _ predicate: @Sendable ([Entry]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if predicate(entries) { return true }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return predicate(entries)
    }
}

/// A gate handlers wait on until the test opens it; counts who arrived.
public actor Gate {
    public private(set) var arrivals = 0
    private var open = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func wait() async {
        arrivals += 1
        if open { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    public func release() {
        open = true
        waiters.forEach { $0.resume() }
        waiters.removeAll()
    }
}
