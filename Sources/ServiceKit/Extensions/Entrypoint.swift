/// Something that makes a container run workers: a subscription, a timer, a queue consumer.
///
/// Entrypoints are created by the property wrappers a service declares (their
/// ``EntrypointDeclaration``) and live as long as the container. When an event arrives they ask the
/// container for a worker through ``ContainerContext/spawnWorker(entrypoint:contextData:handler:completion:)``.
/// `stop()` means: take no new events (workers already running are awaited by the container).
public protocol Entrypoint: Actor, Extension {
    /// A short description for logs, e.g. `subscribe(/topic/InvoiceStatementUpdates)`.
    nonisolated var name: String { get }
}

/// Implemented by the property wrappers that declare entrypoints on a ``Service``
/// (e.g. `@Subscribe`). The container finds them by reflection and asks each for its entrypoints.
public protocol EntrypointDeclaration<ServiceType>: Sendable {
    associatedtype ServiceType: Service
    /// The entrypoints this declaration stands for (several when declarations are stacked).
    /// - Parameter attribute: the property's name, for logs (`onInvoice`).
    func makeEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint]
}
