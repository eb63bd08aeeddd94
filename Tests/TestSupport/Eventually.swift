/// Polls `condition` every `interval` until it holds or `timeout` has passed, then checks it a
/// last time; returns whether it held. Bounded, so a test that waits on it cannot hang.
public func eventually(timeout: Duration = .seconds(10), interval: Duration = .milliseconds(20),
                       _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
