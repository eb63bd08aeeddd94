import ServiceKit

/// A test-only entrypoint that tests fire by hand, like Nameko's `entrypoint_hook`:
/// `@Trigger("greet") var onGreet = Self.greet` for a handler `func greet(_ value: Int) async throws`.
@propertyWrapper
public struct Trigger<S: Service>: EntrypointDeclaration {
    public typealias ServiceType = S
    public typealias Handler = @Sendable (S) -> @Sendable (Int) async throws -> Void
    public let wrappedValue: Handler
    let name: String

    public init(wrappedValue: @escaping Handler, _ name: String) {
        self.wrappedValue = wrappedValue
        self.name = name
    }

    public func makeEntrypoints(attribute: String, context: ContainerContext<S>) -> [any Entrypoint] {
        [TriggerEntrypoint(name: name, handler: wrappedValue, context: context)]
    }
}

public actor TriggerEntrypoint<S: Service>: Entrypoint {
    public nonisolated let name: String
    let handler: Trigger<S>.Handler
    let context: ContainerContext<S>
    public private(set) var stopped = false

    init(name: String, handler: @escaping Trigger<S>.Handler, context: ContainerContext<S>) {
        self.name = name
        self.handler = handler
        self.context = context
    }

    /// Starts one worker for `value` (context data `value=<value>`); returns once it has started,
    /// as a real event loop would.
    public func fire(_ value: Int, completion: @escaping @Sendable (Result<Void, any Error>) async -> Void = { _ in }) async throws {
        let handler = self.handler
        try await context.spawnWorker(entrypoint: name, contextData: ["value": "\(value)"],
                                      handler: { try await handler($0)(value) }, completion: completion)
    }

    /// Runs one worker for `value` and returns its outcome.
    public func run(_ value: Int) async throws -> Result<Void, any Error> {
        let outcome = Recorder<Result<Void, any Error>>()
        try await fire(value) { await outcome.record($0) }
        _ = await outcome.waitUntil(timeout: .seconds(60)) { !$0.isEmpty }
        return await outcome.entries.first ?? .failure(CancellationError())
    }

    public func stop() async { stopped = true }
}

extension ServiceContainer {
    /// The trigger entrypoint called `name`.
    public func trigger(_ name: String) -> TriggerEntrypoint<S> {
        entrypoints.compactMap { $0 as? TriggerEntrypoint<S> }.first { $0.name == name }!
    }

    /// Runs the trigger `name` once with `value` and returns the worker's outcome.
    public func fire(_ name: String, _ value: Int) async throws -> Result<Void, any Error> {
        try await trigger(name).run(value)
    }
}
