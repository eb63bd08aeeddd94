import ServiceKit

/// A `(channel, event)` handler of a service, as written in a declaration:
/// `@Subscribe("/topic/X") var onX = Self.handleEvent`.
public struct SubscriptionHandler<S: Service>: SubscriptionStack {
    public typealias Function = @Sendable (S) -> @Sendable (String, StreamingEvent) async throws -> Void
    public let function: Function
    public var handler: SubscriptionHandler<S> { self }
    public var subscriptions: [Subscription] { [] }
}

/// One subscription of a declaration: a channel on a connection.
public struct Subscription: Sendable, Hashable {
    let channel: String
    let kind: StreamingClient.Kind
}

/// What subscription declarations wrap: a handler, or another declaration (stacking).
///
/// ```swift
/// @Subscribe("/topic/LeadUpdates")
/// @Subscribe("/topic/OpportunityUpdates")
/// var onUpdate = Self.handleUpdate     // one handler, two channels
/// ```
public protocol SubscriptionStack: Sendable {
    associatedtype ServiceType: Service
    /// The handler at the bottom of the stack.
    var handler: SubscriptionHandler<ServiceType> { get }
    /// Every subscription in the stack, outermost first.
    var subscriptions: [Subscription] { get }
}

extension SubscriptionStack {
    /// One entrypoint per subscription of the stack (only the outermost declaration is seen by
    /// the container, so it speaks for the whole stack).
    func makeSubscriptionEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint] {
        subscriptions.map {
            SubscriptionEntrypoint(channel: $0.channel, kind: $0.kind, attribute: attribute,
                                   handler: handler.function, context: context)
        }
    }
}
