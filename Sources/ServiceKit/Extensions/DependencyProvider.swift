/// Supplies a value to each worker: an API client, an event dispatcher, configuration
/// (Nameko's `DependencyProvider`).
///
/// Declare one on a service with ``Dependency``: `@Dependency(EventDispatcher()) var dispatch`.
/// Providers are reference types so the container and every copy of the service value share one
/// provider; the container calls `setup`/`start` once, then for each worker `value(for:)`,
/// `workerSetup`, runs the handler, then `workerResult` and `workerTeardown`.
public protocol DependencyProvider: AnyObject, Extension {
    /// What handlers see when they read the property.
    associatedtype Value: Sendable
    /// Called once per container before `setup()`, with what the container offers.
    func bind(to container: ContainerServices) async throws
    /// The value injected into one worker.
    func value(for worker: WorkerContext) async throws -> Value
    func workerSetup(_ worker: WorkerContext) async
    /// The handler's outcome, before teardown.
    func workerResult(_ worker: WorkerContext, result: Result<Void, any Error>) async
    func workerTeardown(_ worker: WorkerContext) async
}

extension DependencyProvider {
    public func bind(to container: ContainerServices) async throws {}
    public func workerSetup(_ worker: WorkerContext) async {}
    public func workerResult(_ worker: WorkerContext, result: Result<Void, any Error>) async {}
    public func workerTeardown(_ worker: WorkerContext) async {}
}

/// Declares a dependency on a service; reading the property inside a handler gives the value the
/// provider made for the current worker.
///
/// ```swift
/// @Dependency(EventDispatcher()) var dispatch
/// ```
///
/// Reading the property outside a worker (no ``WorkerContext/current``) is a programming error and
/// traps with a message; in unit tests use `ServiceKitTesting`'s worker factory, which binds a
/// worker context with replacement values.
@propertyWrapper
public struct Dependency<Provider: DependencyProvider>: Sendable {
    /// The provider; also the key under which workers hold its value.
    public let provider: Provider

    public init(_ provider: Provider) {
        self.provider = provider
    }

    public var wrappedValue: Provider.Value {
        guard let worker = WorkerContext.current else {
            fatalError("@Dependency(\(Provider.self)) read outside a worker; use ServiceKitTesting to call handlers in tests")
        }
        guard let value = worker.dependencies[ObjectIdentifier(provider)] as? Provider.Value else {
            fatalError("@Dependency(\(Provider.self)) has no value in this worker (was it replaced with a value of another type?)")
        }
        return value
    }

    /// `$name` gives the provider, e.g. to name it when replacing dependencies in tests.
    public var projectedValue: Provider { provider }
}

/// Type-erased access the container uses to find and drive dependency providers.
protocol DependencyDeclaration: Sendable {
    var anyProvider: any DependencyProvider { get }
}

extension Dependency: DependencyDeclaration {
    var anyProvider: any DependencyProvider { provider }
}

extension DependencyProvider {
    /// Makes this provider's worker value, type-erased for storage in a ``WorkerContext``.
    func erasedValue(for worker: WorkerContext) async throws -> any Sendable {
        try await value(for: worker)
    }
}
