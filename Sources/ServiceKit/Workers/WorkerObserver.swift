/// Told about every worker a container finishes: the worker's context and its outcome. Tests use
/// it to wait for handlers (Nameko's `entrypoint_waiter`); embedders may use it for metrics.
///
/// Set it in the container's environment:
/// `environment[WorkerObserverKey.self] = { worker, result in ... }`.
public enum WorkerObserverKey: ContainerEnvironmentKey {
    public static var defaultValue: (@Sendable (WorkerContext, Result<Void, any Error>) async -> Void)? { nil }
}
