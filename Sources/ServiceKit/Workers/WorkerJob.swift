/// One worker as a single value: what an entrypoint hands its container for every event it
/// takes (the closure-based ``ContainerContext/spawnWorker(entrypoint:contextData:handler:completion:)``
/// wraps its arguments in one).
///
/// For the project's own entrypoints, whose workers are on every event's path: a job that is a
/// small struct of references reaches the worker pool in one allocation, and builds its context
/// data only if someone reads it.
package protocol WorkerJob<ServiceType>: Sendable {
    associatedtype ServiceType: Service
    /// The entrypoint that starts the worker, e.g. `on_event(/topic/InvoiceStatementUpdates)`.
    var entrypoint: String { get }
    /// What the worker's context data is made from when read (best a class instance, which the
    /// context holds by one reference, or a dictionary).
    var contextData: any WorkerContextDataSource { get }
    /// Runs the handler on the worker's copy of the service.
    nonisolated(nonsending) func handle(_ service: ServiceType) async throws
    /// Called with the handler's outcome when it ends.
    nonisolated(nonsending) func completed(_ result: Result<Void, any Error>) async
}

/// Jobs handed to the container together, e.g. the events of one reply
/// (``ContainerContext/spawnWorkers(_:)``).
///
/// The jobs are of one concrete type (`Job`), not existentials: making an `any WorkerJob` of a
/// generic job type looks its type metadata and conformance up at run time, for every worker.
package protocol WorkerJobBatch<ServiceType>: Sendable {
    associatedtype ServiceType: Service
    associatedtype Job: WorkerJob where Job.ServiceType == ServiceType
    var count: Int { get }
    func job(at index: Int) -> Job
}

/// Where a worker's context data (``WorkerContext/data``) comes from: built when read.
package protocol WorkerContextDataSource: Sendable {
    var workerContextData: [String: String] { get }
}

extension Dictionary: WorkerContextDataSource where Key == String, Value == String {
    package var workerContextData: [String: String] { self }
}

/// The job of the closure-based `spawnWorker`.
struct ClosureWorkerJob<ServiceType: Service>: WorkerJob {
    let entrypoint: String
    let contextData: any WorkerContextDataSource
    let handler: @Sendable (ServiceType) async throws -> Void
    let completion: @Sendable (Result<Void, any Error>) async -> Void

    nonisolated(nonsending) func handle(_ service: ServiceType) async throws { try await handler(service) }
    nonisolated(nonsending) func completed(_ result: Result<Void, any Error>) async { await completion(result) }
}
