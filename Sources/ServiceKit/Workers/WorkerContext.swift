import Logging

/// What one worker (one handler call for one event) knows about itself, bound as a task-local
/// while its handler runs (Nameko's `WorkerContext`).
public struct WorkerContext: Sendable {
    /// The service's name.
    public var serviceName: String { identity.origin.serviceName }
    /// The entrypoint that started the worker, e.g. `subscribe(/topic/InvoiceStatementUpdates)`.
    public var entrypoint: String { identity.entrypoint }
    /// Unique per worker: `<service>.<entrypoint>.<64 random bits in hex>`.
    public var callID: String { "\(serviceName).\(entrypoint).\(String(identity.callNumber, radix: 16))" }
    /// Context data the entrypoint attached, e.g. `client_id` and `replay_id` for streaming events.
    public var data: [String: String] { identity.dataSource.workerContextData }
    /// A logger whose metadata carries the service, entrypoint, call ID and context data (made on
    /// first use in a worker: most handlers of a busy stream never log).
    public var logger: Logger {
        var logger = identity.origin.baseLogger
        logger[metadataKey: "service"] = .string(serviceName)
        logger[metadataKey: "entrypoint"] = .string(entrypoint)
        logger[metadataKey: "call_id"] = .string(callID)
        for (key, value) in data { logger[metadataKey: key] = .string(value) }
        return logger
    }
    /// What does not change during the worker, in one object: the context is copied several times
    /// per worker (into the task-local, to providers, to the observer), each copy one reference.
    private let identity: Identity
    /// Values injected by dependency providers, keyed by provider identity.
    var dependencies: [ObjectIdentifier: any Sendable]

    private final class Identity: Sendable {
        let origin: Origin
        let entrypoint: String
        /// The random part of the call ID (its text is made only when asked for).
        let callNumber: UInt64
        /// Made into ``data`` when read: most workers of a busy stream never read it.
        let dataSource: any WorkerContextDataSource

        init(origin: Origin, entrypoint: String, callNumber: UInt64, dataSource: any WorkerContextDataSource) {
            self.origin = origin
            self.entrypoint = entrypoint
            self.callNumber = callNumber
            self.dataSource = dataSource
        }
    }

    /// What every worker of a container shares, in one object made once: a worker's context
    /// refers to it rather than copying the name and the logger (one reference count touched
    /// per worker instead of several, on objects every worker thread shares).
    final class Origin: Sendable {
        let serviceName: String
        let baseLogger: Logger

        init(serviceName: String, baseLogger: Logger) {
            self.serviceName = serviceName
            self.baseLogger = baseLogger
        }
    }

    /// The worker the current task runs for, if any.
    @TaskLocal public static var current: WorkerContext?

    /// Makes a context; containers do this for every worker, tests may do it to call handlers.
    public init(serviceName: String, entrypoint: String, data: [String: String] = [:], logger: Logger) {
        self.init(origin: Origin(serviceName: serviceName, baseLogger: logger), entrypoint: entrypoint, data: data,
                  callNumber: UInt64.random(in: .min ... .max))
    }

    /// A context of a worker of the container `origin` describes, whose call ID ends in
    /// `callNumber` (containers pass ``CallNumbers/next()``).
    init(origin: Origin, entrypoint: String, data: any WorkerContextDataSource, callNumber: UInt64) {
        self.identity = Identity(origin: origin, entrypoint: entrypoint, callNumber: callNumber, dataSource: data)
        self.dependencies = [:]
    }

    /// Sets the value a ``Dependency`` declared with `provider` gives inside this worker.
    public mutating func setDependency<P: DependencyProvider>(_ value: P.Value, for provider: P) {
        dependencies[ObjectIdentifier(provider)] = value
    }

    mutating func setErasedDependency(_ value: any Sendable, for provider: any DependencyProvider) {
        dependencies[ObjectIdentifier(provider)] = value
    }

}
