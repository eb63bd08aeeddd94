import ServiceKit

/// The handler method at the bottom of an ``EventHandler`` declaration.
public struct EventHandlerFunction<S: Service>: EventHandlerStack {
    public typealias Function = @Sendable (S) -> @Sendable (EventMessage) async throws -> Void
    public let function: Function
    public var handler: EventHandlerFunction<S> { self }
    public var subscriptions: [EventSubscription] { [] }
}

/// One `(source service, event type)` pair of an ``EventHandler`` declaration.
public struct EventSubscription: Sendable, Hashable {
    public let sourceService: String
    public let eventType: String
}

/// What ``EventHandler`` wraps: a handler, or another ``EventHandler`` (stacking).
public protocol EventHandlerStack: Sendable {
    associatedtype ServiceType: Service
    /// The handler at the bottom of the stack.
    var handler: EventHandlerFunction<ServiceType> { get }
    /// Every subscription of the stack, outermost first.
    var subscriptions: [EventSubscription] { get }
}

/// Runs a handler for each event of `eventType` that the service `source` dispatches (Nameko's
/// `@event_handler(source, event_type)` with the `SERVICE_POOL` handler type).
///
/// ```swift
/// struct LeadMailer: Service {
///     static let name = "lead-mailer"
///     @EventHandler("some-service", "salesforce_lead_created") var onLead = Self.handleLead
///     func handleLead(_ event: EventMessage) async throws { ... }
/// }
/// ```
///
/// Configuration: the `EVENTS` section, as for ``EventDispatcher`` (`REDIS_URI` required;
/// optional `MAX_ATTEMPTS`, `RETRY_DELAY`, `ABANDONED_AFTER`, `BATCH_SIZE`).
///
/// Events are read from the stream `<source>.events` through a consumer group named
/// `<service name>.<property name>`: among all running instances of a service, one worker gets
/// each event, and every handler of a service (like every Nameko handler method, which has its
/// own queue) sees every event of its type. The group is created when the container first starts,
/// so events dispatched earlier are not delivered; later ones wait in Redis while the service is
/// down.
///
/// An event is acknowledged once its handler returns. When the handler throws, the event is
/// delivered again after `EVENTS.RETRY_DELAY` seconds (default 5), up to `EVENTS.MAX_ATTEMPTS`
/// (default 5) attempts; then it is acknowledged and copied, with the error, to
/// `<source>.events.dead` and logged. The same happens to entries that are not events (no `type`,
/// payload not JSON). Events left pending at an instance that crashed, was killed or stopped
/// before handling them are taken over by another instance (or the next one) after
/// `EVENTS.ABANDONED_AFTER` seconds (default 60); a running instance keeps renewing its claim on
/// the events it holds, so a long handler keeps its event. Delivery is at least once: make
/// handlers idempotent (``EventMessage/id`` is unique per event).
///
/// The worker's context data (``WorkerContext/data``) is the dispatching worker's context data
/// (``EventMessage/contextData``, so it propagates along chains of events as in Nameko) plus
/// `event_id`, `event_type` and `source_service`.
///
/// Redis being down or restarted never stops the service: the handler logs, backs off (up to
/// 5 s) and reconnects; if the restart lost the consumer group, it is re-created from the start
/// of the (new) stream.
///
/// Declarations stack: several `@EventHandler` on one property run the same handler for each.
@propertyWrapper
public struct EventHandler<Value: EventHandlerStack>: EventHandlerStack, EntrypointDeclaration {
    public typealias ServiceType = Value.ServiceType
    public let wrappedValue: Value
    private let subscription: EventSubscription

    /// Stacks on another `@EventHandler`.
    public init(wrappedValue: Value, _ sourceService: String, _ eventType: String) {
        self.wrappedValue = wrappedValue
        self.subscription = EventSubscription(sourceService: sourceService, eventType: eventType)
    }

    /// Runs `wrappedValue` (a method reference such as `Self.handleLead`) for events of
    /// `eventType` dispatched by `sourceService`.
    public init<S: Service>(wrappedValue: @escaping EventHandlerFunction<S>.Function,
                            _ sourceService: String, _ eventType: String)
    where Value == EventHandlerFunction<S> {
        self.init(wrappedValue: EventHandlerFunction(function: wrappedValue), sourceService, eventType)
    }

    public var handler: EventHandlerFunction<ServiceType> { wrappedValue.handler }
    public var subscriptions: [EventSubscription] { [subscription] + wrappedValue.subscriptions }

    /// One entrypoint per source service, handling all the stack's event types of that source.
    public func makeEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint] {
        var typesBySource: [String: Set<String>] = [:]
        var sources: [String] = []
        for subscription in subscriptions {
            if typesBySource[subscription.sourceService] == nil { sources.append(subscription.sourceService) }
            typesBySource[subscription.sourceService, default: []].insert(subscription.eventType)
        }
        return sources.map {
            EventHandlerEntrypoint(source: $0, eventTypes: typesBySource[$0]!, attribute: attribute,
                                   handler: handler.function, context: context)
        }
    }
}
