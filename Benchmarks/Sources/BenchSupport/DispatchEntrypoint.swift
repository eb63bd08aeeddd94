import ServiceKit

/// An entrypoint that starts workers when the benchmark asks, with no transport: measures the
/// container's worker path alone (spawn, dependency injection, worker context, completion).
public actor DispatchEntrypoint<S: Service>: Entrypoint {
    public nonisolated let name = "dispatch"
    private let context: ContainerContext<S>
    private let handler: @Sendable (S) -> @Sendable () async throws -> Void

    init(context: ContainerContext<S>, handler: @escaping @Sendable (S) -> @Sendable () async throws -> Void) {
        self.context = context
        self.handler = handler
    }

    /// Starts `count` workers one after another (each spawn waits while `max_workers` are busy)
    /// and returns once every one of them has finished.
    public func dispatch(_ count: Int) async throws {
        let done = Countdown()
        let handler = self.handler
        for _ in 0..<count {
            try await context.spawnWorker(entrypoint: name, handler: { service in try await handler(service)() },
                                          completion: { _ in done.add() })
        }
        await done.wait(until: count)
    }
}

/// Declares a ``DispatchEntrypoint`` on a service: `@Dispatched var run = Self.work`.
@propertyWrapper
public struct Dispatched<S: Service>: EntrypointDeclaration {
    public typealias ServiceType = S
    public let wrappedValue: @Sendable (S) -> @Sendable () async throws -> Void

    public init(wrappedValue: @escaping @Sendable (S) -> @Sendable () async throws -> Void) {
        self.wrappedValue = wrappedValue
    }

    public func makeEntrypoints(attribute: String, context: ContainerContext<S>) -> [any Entrypoint] {
        [DispatchEntrypoint(context: context, handler: wrappedValue)]
    }
}

/// A service with one no-op handler behind a ``Dispatched`` entrypoint.
public struct NoopDispatchService: Service {
    public static let name = "bench-dispatch"
    @Dispatched var run = Self.work
    public init() {}
    func work() async throws {}
}

extension ServiceContainer {
    /// The container's ``DispatchEntrypoint`` (the service must declare one with ``Dispatched``).
    public func dispatchEntrypoint() -> DispatchEntrypoint<S>? {
        entrypoints.lazy.compactMap { $0 as? DispatchEntrypoint<S> }.first
    }
}
