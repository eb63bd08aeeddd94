import ServiceKit

/// Subscribes a handler to a Salesforce streaming channel: a PushTopic (`/topic/Name`), a
/// platform event (`/event/Name__e`), change data capture (`/data/...`) or a generic channel
/// (`/u/Name`). The handler gets the channel and the event.
///
/// ```swift
/// struct InvoiceService: Service {
///     static let name = "some-service"
///     @Subscribe("/topic/InvoiceStatementUpdates") var onInvoice = Self.handleEvent
///     func handleEvent(topic: String, event: StreamingEvent) async throws { ... }
/// }
/// ```
///
/// Connection settings come from the configuration's `SALESFORCE` section. All streaming
/// entrypoints of a service share one connection. Declarations stack: several `@Subscribe` on one
/// property subscribe the same handler to each channel.
@propertyWrapper
public struct Subscribe<Value: SubscriptionStack>: SubscriptionStack, EntrypointDeclaration {
    public typealias ServiceType = Value.ServiceType
    public let wrappedValue: Value
    private let channel: String

    /// Stacks on another subscription declaration.
    public init(wrappedValue: Value, _ channel: String) {
        self.wrappedValue = wrappedValue
        self.channel = channel
    }

    /// Subscribes `wrappedValue` (a method reference such as `Self.handleEvent`) to `channel`.
    public init<S: Service>(wrappedValue: @escaping SubscriptionHandler<S>.Function, _ channel: String)
    where Value == SubscriptionHandler<S> {
        self.init(wrappedValue: SubscriptionHandler(function: wrappedValue), channel)
    }

    public var handler: SubscriptionHandler<ServiceType> { wrappedValue.handler }
    public var subscriptions: [Subscription] { [Subscription(channel: channel, kind: .salesforce)] + wrappedValue.subscriptions }

    public func makeEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint] {
        makeSubscriptionEntrypoints(attribute: attribute, context: context)
    }
}

/// Subscribes a handler to a channel of any Bayeux (CometD) server, without Salesforce login,
/// configured by the `BAYEUX` section (`SERVER_URI`, `VERSION`, `MINIMUM_VERSION`): what
/// nameko-bayeux-client offers.
///
/// ```swift
/// @BayeuxSubscribe("/chat/room") var onMessage = Self.handleMessage
/// ```
@propertyWrapper
public struct BayeuxSubscribe<Value: SubscriptionStack>: SubscriptionStack, EntrypointDeclaration {
    public typealias ServiceType = Value.ServiceType
    public let wrappedValue: Value
    private let channel: String

    public init(wrappedValue: Value, _ channel: String) {
        self.wrappedValue = wrappedValue
        self.channel = channel
    }

    public init<S: Service>(wrappedValue: @escaping SubscriptionHandler<S>.Function, _ channel: String)
    where Value == SubscriptionHandler<S> {
        self.init(wrappedValue: SubscriptionHandler(function: wrappedValue), channel)
    }

    public var handler: SubscriptionHandler<ServiceType> { wrappedValue.handler }
    public var subscriptions: [Subscription] { [Subscription(channel: channel, kind: .bayeux)] + wrappedValue.subscriptions }

    public func makeEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint] {
        makeSubscriptionEntrypoints(attribute: attribute, context: context)
    }
}
