import Logging
import ServiceKit

/// Calls a service's handlers directly, inside a worker context with replaced dependencies
/// (Nameko's `worker_factory`): unit tests of handler logic with no container and no network.
///
/// ```swift
/// var worker = ServiceWorker(ProxyService.self)
/// worker.replace(\.$dispatch, with: RecordingDispatcher())
/// try await worker.run { try await $0.handleUpdate(sobjectType: "Lead", recordType: nil, notification: event) }
/// ```
///
/// Every dependency the handler reads must be replaced; reading one that was not traps with a
/// message naming it.
public struct ServiceWorker<S: Service>: Sendable {
    private let service: S
    private var context: WorkerContext

    /// - Parameters:
    ///   - contextData: the worker's context data (e.g. `replay_id`).
    ///   - logger: where the worker's log lines go.
    public init(_ type: S.Type = S.self, entrypoint: String = "test", contextData: [String: String] = [:],
                logger: Logger = Logger(label: "servicekit.testing")) {
        self.service = S()
        self.context = WorkerContext(serviceName: S.name, entrypoint: entrypoint, data: contextData, logger: logger)
    }

    /// Gives handlers `value` when they read the dependency at `dependency` (e.g. `\.$dispatch`).
    public mutating func replace<P: DependencyProvider>(_ dependency: KeyPath<S, P>, with value: P.Value) {
        context.setDependency(value, for: service[keyPath: dependency])
    }

    /// Runs `body` with the service value, inside the worker context.
    public func run<R: Sendable>(_ body: @Sendable (S) async throws -> R) async rethrows -> R {
        try await WorkerContext.$current.withValue(context) { try await body(service) }
    }
}
