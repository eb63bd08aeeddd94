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

    init(name: String, handler: @escaping Trigger<S>.Handler, context: ContainerContext<S>) {
        self.name = name
        self.handler = handler
        self.context = context
    }

    /// Runs one worker for `value` (context data `value=<value>`) and returns its outcome.
    func run(_ value: Int) async throws -> Result<Void, any Error> {
        let handler = self.handler
        return await withCheckedContinuation { continuation in
            Task {
                do {
                    try await context.spawnWorker(entrypoint: name, contextData: ["value": "\(value)"],
                                                  handler: { try await handler($0)(value) },
                                                  completion: { continuation.resume(returning: $0) })
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
    }
}

extension ServiceContainer {
    /// Runs the trigger `name` once with `value` and returns the worker's outcome.
    func fire(_ name: String, _ value: Int) async throws -> Result<Void, any Error> {
        let trigger = entrypoints.compactMap { $0 as? TriggerEntrypoint<S> }.first { $0.name == name }!
        return try await trigger.run(value)
    }
}
