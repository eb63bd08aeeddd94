import Logging

/// What a container offers to its extensions, whatever the service type: configuration, a
/// logger, shared extensions, failure reporting and background tasks.
public struct ContainerServices: Sendable {
    /// The service's name (``Service/name``).
    public let serviceName: String
    /// The configuration the container was started with (the YAML file's content).
    public let configuration: ServiceConfiguration
    /// Objects set for the container's extensions (transports, stores); defaults otherwise.
    public let environment: ContainerEnvironment
    /// The container's logger; metadata carries the service name.
    public let logger: Logger
    /// How many workers run at once at most (`max_workers`).
    public let maxWorkers: Int
    let backend: any ContainerBackend

    /// The shared extension for `key`, made with `make` the first time it is asked for.
    ///
    /// The container drives its lifecycle: shared extensions are set up and started after the
    /// entrypoints that use them, and stopped after every worker has finished.
    public func sharedExtension<E: SharedExtension>(_ key: String, make: @Sendable () -> E) async -> E {
        await backend.sharedExtension(key, make: make)
    }

    /// Reports an error an extension cannot recover from. The container stops gracefully (running
    /// workers finish) in a task of its own, so this returns at once, and ``ServiceContainer/wait()``
    /// throws this error.
    public func fail(_ error: any Error) async {
        await backend.fail(error)
    }

    /// Runs `operation` in the background for as long as the container lives (Nameko's
    /// `spawn_managed_thread`). If it throws, the container fails with that error; it is cancelled
    /// when the container is killed, or after the shared extensions have stopped.
    public func spawnManagedTask(_ name: String, _ operation: @escaping @Sendable () async throws -> Void) async {
        await backend.spawnManagedTask(name, operation)
    }
}

/// The container operations extensions reach through ``ContainerServices``.
protocol ContainerBackend: Actor {
    func sharedExtension<E: SharedExtension>(_ key: String, make: @Sendable () -> E) -> E
    func fail(_ error: any Error)
    func spawnManagedTask(_ name: String, _ operation: @escaping @Sendable () async throws -> Void)
}
