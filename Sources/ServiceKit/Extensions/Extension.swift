/// The lifecycle every extension of a container shares (entrypoints, dependency providers,
/// shared extensions), in Nameko's order: `setup` on all, then `start` on all; `stop` for a
/// graceful end, `kill` to end at once.
public protocol Extension: Sendable {
    /// Prepare: validate configuration, register with shared extensions. No I/O that waits long.
    func setup() async throws
    /// Begin work (connect, subscribe, start background tasks).
    func start() async throws
    /// End gracefully: finish what is in progress, release resources.
    func stop() async
    /// End at once: cancel everything, write nothing that was not finished.
    func kill() async
}

extension Extension {
    public func setup() async throws {}
    public func start() async throws {}
    public func stop() async {}
    public func kill() async { await stop() }
}

/// An extension that several entrypoints or dependencies of one container share, created once per
/// container and key (Nameko's `SharedExtension`), e.g. the one streaming connection all
/// streaming entrypoints of a service use.
///
/// The container sets up and starts shared extensions after the entrypoints and dependencies that
/// use them, and stops them last, after every worker has finished.
public protocol SharedExtension: Actor, Extension {}
