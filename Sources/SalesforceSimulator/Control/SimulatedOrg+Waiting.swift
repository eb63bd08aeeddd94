extension SimulatedOrg {
    /// Waits until `channel` has at least `count` subscribed clients, so events published next
    /// reach them (a subscription without a replay ID only gets events published after it).
    /// - Throws: ``SimulatorError/timedOut(_:)`` when `timeout` passes first.
    public func waitForSubscribers(on channel: String, count: Int = 1, timeout: Duration = .seconds(10)) async throws {
        let deadline = ContinuousClock.now + timeout
        while (stats().channel(channel)?.subscribers ?? 0) < count {
            guard ContinuousClock.now < deadline else {
                throw SimulatorError.timedOut("waiting for \(count) subscriber(s) on \(channel)")
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

extension SimulatedOrg {
    /// Every session token the org has issued (also expired ones), e.g. to check none leaks into logs.
    public func issuedTokens() -> [String] {
        tokensIssued
    }
}
