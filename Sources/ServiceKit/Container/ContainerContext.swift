/// What an entrypoint of a `ServiceType` service gets from its container: the shared
/// ``ContainerServices`` plus the ability to start workers.
public struct ContainerContext<ServiceType: Service>: Sendable {
    /// Configuration, logger, shared extensions, failure reporting.
    public let services: ContainerServices
    let container: ServiceContainer<ServiceType>

    /// The service every worker runs on: the container makes it once, and a worker's copy of a
    /// struct service is this same value (its handlers cannot change it), so an entrypoint may
    /// bind its handler to it once instead of per worker.
    public var service: ServiceType { container.prototype }

    /// Starts a worker running `handler` on a fresh copy of the service, with dependencies injected
    /// and a ``WorkerContext`` carrying `contextData`.
    ///
    /// At most `max_workers` workers run at once; up to `max_workers` more are accepted and wait
    /// for a free slot, in order. Beyond that this call suspends until half of the waiting ones
    /// have started, so an entrypoint's event loop that awaits it takes no new events meanwhile
    /// (backpressure). Returns once the worker is accepted;
    /// `completion` is called with the handler's outcome when it ends (also when it fails; the
    /// error is logged with the worker's context). Throws ``ContainerError/notRunning`` once the
    /// container is stopping, and `CancellationError` if the caller is cancelled while waiting.
    public func spawnWorker(
        entrypoint: String,
        contextData: [String: String] = [:],
        handler: @escaping @Sendable (ServiceType) async throws -> Void,
        completion: @escaping @Sendable (Result<Void, any Error>) async -> Void = { _ in }
    ) async throws {
        try await container.spawnWorker(ClosureWorkerJob(entrypoint: entrypoint, contextData: contextData,
                                                         handler: handler, completion: completion))
    }

    /// The same for a job in one value (see ``WorkerJob``).
    package func spawnWorker(_ job: any WorkerJob<ServiceType>) async throws {
        try await container.spawnWorker(job)
    }

    /// Accepts every job of `jobs` at once, as ``spawnWorker(_:)`` accepts one: they start in
    /// order, each in its own worker. Jobs that have not started when the container stops are
    /// dropped (see ``WorkerBatch``): for events that are delivered again from a replay position.
    package func spawnWorkers<Batch: WorkerJobBatch<ServiceType>>(_ jobs: Batch) async throws {
        try await container.spawnWorkers(jobs)
    }
}

/// Errors the container itself reports.
public enum ContainerError: Error, Equatable, CustomStringConvertible {
    /// The container is stopping or stopped and starts no new workers.
    case notRunning
    /// `start()` was called on a container that was already started.
    case alreadyStarted
    /// The container was killed.
    case killed

    public var description: String {
        switch self {
        case .notRunning: "the container is not running and starts no new workers"
        case .alreadyStarted: "the container was already started"
        case .killed: "the container was killed"
        }
    }
}
