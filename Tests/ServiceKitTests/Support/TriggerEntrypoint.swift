import ServiceKit

/// A test-only entrypoint that tests fire by hand, like Nameko's `entrypoint_hook`.
@propertyWrapper
struct Trigger<S: Service>: EntrypointDeclaration {
    typealias ServiceType = S
    typealias Handler = @Sendable (S) -> @Sendable (Int) async throws -> Void
    let wrappedValue: Handler
    let name: String

    init(wrappedValue: @escaping Handler, _ name: String) {
        self.wrappedValue = wrappedValue
        self.name = name
    }

    func makeEntrypoints(attribute: String, context: ContainerContext<S>) -> [any Entrypoint] {
        [TriggerEntrypoint(name: name, handler: wrappedValue, context: context)]
    }
}

actor TriggerEntrypoint<S: Service>: Entrypoint {
    nonisolated let name: String
    let handler: Trigger<S>.Handler
    let context: ContainerContext<S>
    private(set) var stopped = false

    init(name: String, handler: @escaping Trigger<S>.Handler, context: ContainerContext<S>) {
        self.name = name
        self.handler = handler
        self.context = context
    }

    /// Starts one worker for `value`; returns once it has started, as a real event loop would.
    func fire(_ value: Int, completion: @escaping @Sendable (Result<Void, any Error>) async -> Void = { _ in }) async throws {
        let handler = self.handler
        try await context.spawnWorker(entrypoint: name, contextData: ["value": "\(value)"],
                                      handler: { try await handler($0)(value) }, completion: completion)
    }

    func stop() async { stopped = true }
}

extension ServiceContainer {
    /// The trigger entrypoint called `name`.
    func trigger(_ name: String) async -> TriggerEntrypoint<S> {
        entrypoints.compactMap { $0 as? TriggerEntrypoint<S> }.first { $0.name == name }!
    }
}
