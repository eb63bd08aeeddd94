#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import Synchronization

/// Runs one service: owns its entrypoints, dependency providers, shared extensions and workers,
/// and drives their lifecycle as Nameko's `ServiceContainer` does.
///
/// ```swift
/// let container = ServiceContainer(InvoiceService.self, configuration: config)
/// try await container.start()      // setup, then start every extension
/// ...
/// await container.stop()           // entrypoints stop, workers finish, extensions stop
/// ```
///
/// `start()` sets up every dependency provider, entrypoint and shared extension, then starts them
/// in that order. `stop()` is graceful: entrypoints take no new events, running workers (and those
/// already accepted, waiting for a slot) finish,
/// then dependencies and shared extensions stop (the streaming connection commits its last replay
/// positions and disconnects). `kill()` cancels everything at once.
public actor ServiceContainer<S: Service>: ContainerBackend {
    /// Where the container is in its life.
    public enum State: Sendable, Equatable {
        case created, starting, running, stopping, stopped
    }

    public nonisolated let serviceName: String
    /// The most workers that run at once (config key `max_workers`, default 10).
    public nonisolated let maxWorkers: Int
    /// The service value workers copy; its dependency providers are the container's.
    public nonisolated let prototype: S
    public private(set) var state: State = .created

    private let configuration: ServiceConfiguration
    private nonisolated let environment: ContainerEnvironment
    private let logger: Logger
    /// Runs the workers; closed when the container stops taking them.
    private nonisolated let pool: WorkerPool
    /// What every worker is set up with, fixed once the extensions are discovered in `start()`.
    private nonisolated let workerSetup: Mutex<WorkerSetup>
    private nonisolated let callNumbers = CallNumbers()
    /// The entrypoints the container made from the service's declarations (empty once stopped).
    public private(set) var entrypoints: [any Entrypoint] = []
    private var providers: [any DependencyProvider] = []
    private var sharedExtensions: [(key: String, extension: any SharedExtension)] = []
    private var managedTasks: [UUID: Task<Void, Never>] = [:]
    private var replacedDependencies: [ObjectIdentifier: any Sendable] = [:]
    private var failure: (any Error)?
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Makes a container for `serviceType`.
    /// - Parameters:
    ///   - configuration: the service configuration (see ``ServiceConfiguration/load(path:environment:)``).
    ///   - environment: objects extensions take instead of their defaults (transports, stores).
    ///   - logger: the base logger; defaults to one labelled with the service name.
    public init(_ serviceType: S.Type = S.self, configuration: ServiceConfiguration = ServiceConfiguration(),
                environment: ContainerEnvironment = ContainerEnvironment(), logger: Logger? = nil) throws {
        self.serviceName = S.name
        self.configuration = configuration
        self.environment = environment
        var logger = logger ?? Logger(label: "servicekit.\(S.name)")
        logger[metadataKey: "service"] = .string(S.name)
        self.logger = logger
        let maxWorkers = try configuration.optionalInt("max_workers") ?? 10
        guard maxWorkers > 0 else {
            throw ConfigurationError.invalidValue(key: "max_workers", reason: "must be at least 1, got \(maxWorkers)")
        }
        self.maxWorkers = maxWorkers
        self.pool = WorkerPool(capacity: maxWorkers, backlog: maxWorkers)
        self.workerSetup = Mutex(WorkerSetup(origin: WorkerContext.Origin(serviceName: S.name, baseLogger: logger),
                                             observer: environment[WorkerObserverKey.self]))
        self.prototype = S()
    }

    private var services: ContainerServices {
        ContainerServices(serviceName: serviceName, configuration: configuration, environment: environment,
                          logger: logger, maxWorkers: maxWorkers, backend: self)
    }

    // MARK: Lifecycle

    /// Sets up and starts every extension. If any of them fails, the container is killed and the
    /// error rethrown.
    public func start() async throws {
        guard state == .created else { throw ContainerError.alreadyStarted }
        state = .starting
        logger.info("starting service container", metadata: ["max_workers": "\(maxWorkers)"])
        do {
            discoverExtensions()
            workerSetup.withLock { [providers, replacedDependencies] setup in
                setup = WorkerSetup(origin: setup.origin, observer: setup.observer,
                                    providers: providers, replaced: replacedDependencies)
            }
            for provider in providers { try await provider.bind(to: services) }
            for provider in providers { try await provider.setup() }
            for entrypoint in entrypoints { try await entrypoint.setup() }
            // Shared extensions are created by the setups above.
            for shared in sharedExtensions { try await shared.extension.setup() }
            for provider in providers { try await provider.start() }
            for entrypoint in entrypoints { try await entrypoint.start() }
            for shared in sharedExtensions { try await shared.extension.start() }
        } catch {
            logger.error("service container failed to start: \(error)")
            await kill(error)
            throw error
        }
        guard state == .starting else { throw failure ?? ContainerError.killed }
        state = .running
        logger.info("service container started", metadata: [
            "entrypoints": .array(entrypoints.map { .string($0.name) }),
        ])
    }

    /// Stops gracefully: entrypoints stop taking events, running workers finish, then
    /// dependencies and shared extensions stop. Returns when all of that is done.
    public func stop() async {
        switch state {
        case .stopping, .stopped:
            await waitUntilStopped()
            return
        case .created:
            finish()
            return
        case .starting, .running:
            break
        }
        state = .stopping
        pool.close(ContainerError.notRunning)
        logger.info("stopping service container", metadata: ["running_workers": "\(pool.running)", "accepted_workers": "\(pool.pending)"])
        for entrypoint in entrypoints { await entrypoint.stop() }
        await pool.waitUntilIdle()
        for provider in providers { await provider.stop() }
        for shared in sharedExtensions.reversed() { await shared.extension.stop() }
        for task in managedTasks.values { task.cancel() }
        managedTasks.removeAll()
        finish()
        logger.info("service container stopped")
    }

    /// Ends at once: cancels running workers and background tasks and kills every extension.
    /// ``wait()`` then throws `error` (or ``ContainerError/killed``).
    public func kill(_ error: (any Error)? = nil) async {
        guard state != .stopped else { return }
        if failure == nil { failure = error ?? ContainerError.killed }
        logger.warning("killing service container", metadata: ["reason": "\(failure!)"])
        state = .stopping
        pool.cancelAll(ContainerError.notRunning)
        for task in managedTasks.values { task.cancel() }
        for entrypoint in entrypoints { await entrypoint.kill() }
        for provider in providers { await provider.kill() }
        for shared in sharedExtensions.reversed() { await shared.extension.kill() }
        managedTasks.removeAll()
        finish()
    }

    /// Suspends until the container has stopped. Throws the error that ended it, if one did
    /// (an extension's failure, or the error given to ``kill(_:)``).
    public func wait() async throws {
        await waitUntilStopped()
        if let failure { throw failure }
    }

    /// Number of workers running now (not counting those accepted and waiting for a free slot).
    public nonisolated var runningWorkers: Int { pool.running }

    /// Replaces the value a dependency gives workers, before `start()` (Nameko's
    /// `replace_dependencies`). `provider` is a key path to the dependency's projected value,
    /// e.g. `\.$dispatch`.
    public func replaceDependency<P: DependencyProvider>(_ provider: KeyPath<S, P>, with value: P.Value) {
        precondition(state == .created, "replace dependencies before starting the container")
        replacedDependencies[ObjectIdentifier(prototype[keyPath: provider])] = value
    }

    // MARK: ContainerBackend

    func sharedExtension<E: SharedExtension>(_ key: String, make: @Sendable () -> E) -> E {
        if let existing = sharedExtensions.first(where: { $0.key == key }) {
            guard let typed = existing.extension as? E else {
                preconditionFailure("shared extension key '\(key)' is used by \(type(of: existing.extension)) and \(E.self)")
            }
            return typed
        }
        let made = make()
        sharedExtensions.append((key, made))
        return made
    }

    func fail(_ error: any Error) {
        guard state == .starting || state == .running else { return }
        logger.error("service container failing: \(error)")
        if failure == nil { failure = error }
        // Stop from a task of its own: the caller may be a loop that stop() waits for.
        let wasStarting = state == .starting
        Task {
            if wasStarting { await self.kill(error) } else { await self.stop() }
        }
    }

    func spawnManagedTask(_ name: String, _ operation: @escaping @Sendable () async throws -> Void) {
        let id = UUID()
        managedTasks[id] = Task {
            do {
                try await operation()
            } catch is CancellationError {
            } catch {
                self.logger.error("background task '\(name)' failed: \(error)")
                self.fail(error)
            }
            self.managedTaskEnded(id)
        }
    }

    private func managedTaskEnded(_ id: UUID) {
        managedTasks[id] = nil
    }

    // MARK: Workers

    /// Takes `job` as an existential (a small job fits its inline buffer): a generic parameter
    /// here would make every worker instantiate the job's type metadata at run time.
    nonisolated func spawnWorker(_ job: any WorkerJob<S>) async throws {
        let setup = workerSetup.withLock { $0 }
        try await pool.submit({ await self.runWorker(job, setup: setup) }, closedError: ContainerError.notRunning)
    }

    /// Hands the pool every job of `jobs` at once (see ``WorkerBatch``).
    nonisolated func spawnWorkers<Batch: WorkerJobBatch<S>>(_ jobs: Batch) async throws {
        let batch = ContainerJobBatch(container: self, setup: workerSetup.withLock { $0 }, jobs: jobs)
        try await pool.submit(batch: batch, closedError: ContainerError.notRunning)
    }

    /// Inlined into its two callers (the pool's job closure and batch): one async frame fewer per worker.
    /// `setup` is taken when the job or batch is handed over (it is fixed once the container has
    /// started): a batch's workers then share the one reference instead of each taking its own
    /// on an object every worker thread touches.
    @inline(__always)
    fileprivate nonisolated(nonsending) func runWorker<Job: WorkerJob<S>>(_ job: Job, setup: WorkerSetup) async {
        var context = WorkerContext(origin: setup.origin, entrypoint: job.entrypoint, data: job.contextData,
                                    callNumber: callNumbers.next())
        let result: Result<Void, any Error>
        do {
            for provider in setup.providers {
                if let value = setup.replaced[ObjectIdentifier(provider)] {
                    context.setErasedDependency(value, for: provider)
                } else {
                    context.setErasedDependency(try await provider.erasedValue(for: context), for: provider)
                }
            }
            for provider in setup.providers { await provider.workerSetup(context) }
            // The container's own value, not a copy per worker: a struct service's copy would
            // retain each of its references, which every worker thread shares.
            result = await WorkerContext.$current.withValue(context) {
                do {
                    try await job.handle(prototype)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        } catch {
            result = .failure(error)
        }
        if case .failure(let error) = result {
            context.logger.error("worker failed: \(error)")
        }
        for provider in setup.providers { await provider.workerResult(context, result: result) }
        await job.completed(result)
        await setup.observer?(context, result)
        for provider in setup.providers { await provider.workerTeardown(context) }
    }

    // MARK: Internals

    private func discoverExtensions() {
        let context = ContainerContext(services: services, container: self)
        for child in Mirror(reflecting: prototype).children {
            let attribute = (child.label ?? "?").trimmingPrefix("_")
            if let declaration = child.value as? any EntrypointDeclaration<S> {
                entrypoints += declaration.makeEntrypoints(attribute: String(attribute), context: context)
            } else if let dependency = child.value as? any DependencyDeclaration {
                let provider = dependency.anyProvider
                if !providers.contains(where: { $0 === provider }) { providers.append(provider) }
            }
        }
    }

    private func finish() {
        state = .stopped
        pool.close(ContainerError.notRunning)
        // Break reference cycles (entrypoints hold the container through their context).
        entrypoints.removeAll()
        sharedExtensions.removeAll()
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting { waiter.resume() }
    }

    private func waitUntilStopped() async {
        guard state != .stopped else { return }
        await withCheckedContinuation { waiters.append($0) }
    }
}

/// What every worker of a container is set up with: fixed when the container starts, read by
/// each worker without a hop onto the container (a class: a worker takes one reference).
private final class WorkerSetup: Sendable {
    /// The service's name and the base logger of every worker context.
    let origin: WorkerContext.Origin
    let observer: (@Sendable (WorkerContext, Result<Void, any Error>) async -> Void)?
    let providers: [any DependencyProvider]
    let replaced: [ObjectIdentifier: any Sendable]

    init(origin: WorkerContext.Origin, observer: (@Sendable (WorkerContext, Result<Void, any Error>) async -> Void)?,
         providers: [any DependencyProvider] = [], replaced: [ObjectIdentifier: any Sendable] = [:]) {
        self.origin = origin
        self.observer = observer
        self.providers = providers
        self.replaced = replaced
    }
}

/// The pool's view of a batch of a container's jobs.
private final class ContainerJobBatch<S: Service, Jobs: WorkerJobBatch<S>>: WorkerBatch {
    let container: ServiceContainer<S>
    let setup: WorkerSetup
    let jobs: Jobs
    let count: Int

    init(container: ServiceContainer<S>, setup: WorkerSetup, jobs: Jobs) {
        self.container = container
        self.setup = setup
        self.jobs = jobs
        self.count = jobs.count
    }

    @inline(__always)  // into its protocol witness: one async frame per worker, not two
    nonisolated(nonsending) func runWorker(at index: Int) async {
        await container.runWorker(jobs.job(at: index), setup: setup)
    }
}
