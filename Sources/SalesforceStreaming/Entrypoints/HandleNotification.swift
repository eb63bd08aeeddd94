import ServiceKit

/// A `(name, notification)` handler, as written in a `@HandleNotification` declaration.
public struct NotificationHandler<S: Service>: NotificationStack {
    public typealias Function = @Sendable (S) -> @Sendable (String, PushTopicNotification) async throws -> Void
    public let function: Function
    public var handler: NotificationHandler<S> { self }
    public var topics: [NotificationTopic] { [] }
}

/// One topic of a notification declaration.
public struct NotificationTopic: Sendable, Hashable {
    let source: TopicSource
}

/// What `@HandleNotification` wraps: a handler, or another `@HandleNotification` (stacking).
public protocol NotificationStack: Sendable {
    associatedtype ServiceType: Service
    var handler: NotificationHandler<ServiceType> { get }
    /// Every topic in the stack, outermost first.
    var topics: [NotificationTopic] { get }
}

/// Handles notifications of a PushTopic, declaring it from a query at start-up (nameko-salesforce's
/// `handle_notification`). The handler gets the topic's name and the notification.
///
/// ```swift
/// @HandleNotification(name: "ContactNameUpdated", query: "SELECT Id, FirstName, LastName FROM Contact",
///                     notifyForFields: .select, notifyForOperationCreate: false,
///                     notifyForOperationDelete: false, notifyForOperationUndelete: false)
/// var onContact = Self.handleContactUpdates
///
/// func handleContactUpdates(name: String, notification: PushTopicNotification) async throws { ... }
/// ```
///
/// With a `query`, the PushTopic `name` is created when missing and updated when its query or
/// options differ, before subscribing; without one, the entrypoint only subscribes to
/// `/topic/<name>`. A topic that cannot be declared stops the service at start with the
/// Salesforce error and the topic's name.
@propertyWrapper
public struct HandleNotification<Value: NotificationStack>: NotificationStack, EntrypointDeclaration {
    public typealias ServiceType = Value.ServiceType
    public let wrappedValue: Value
    private let topic: NotificationTopic

    /// Stacks on another `@HandleNotification`.
    public init(wrappedValue: Value, name: String, query: String? = nil, notifyForFields: NotifyForFields = .all,
                notifyForOperationCreate: Bool = true, notifyForOperationUpdate: Bool = true,
                notifyForOperationDelete: Bool = true, notifyForOperationUndelete: Bool = true) {
        self.wrappedValue = wrappedValue
        if let query {
            let options = PushTopicOptions(notifyForFields: notifyForFields, notifyForOperationCreate: notifyForOperationCreate,
                                           notifyForOperationUpdate: notifyForOperationUpdate,
                                           notifyForOperationDelete: notifyForOperationDelete,
                                           notifyForOperationUndelete: notifyForOperationUndelete)
            self.topic = NotificationTopic(source: .query(name: name, query: query, options: options))
        } else {
            self.topic = NotificationTopic(source: .existing(name: name))
        }
    }

    /// Declares `wrappedValue` (a method reference such as `Self.handleContactUpdates`) for topic `name`.
    public init<S: Service>(wrappedValue: @escaping NotificationHandler<S>.Function, name: String, query: String? = nil,
                            notifyForFields: NotifyForFields = .all,
                            notifyForOperationCreate: Bool = true, notifyForOperationUpdate: Bool = true,
                            notifyForOperationDelete: Bool = true, notifyForOperationUndelete: Bool = true)
    where Value == NotificationHandler<S> {
        self.init(wrappedValue: NotificationHandler(function: wrappedValue), name: name, query: query,
                  notifyForFields: notifyForFields, notifyForOperationCreate: notifyForOperationCreate,
                  notifyForOperationUpdate: notifyForOperationUpdate, notifyForOperationDelete: notifyForOperationDelete,
                  notifyForOperationUndelete: notifyForOperationUndelete)
    }

    public var handler: NotificationHandler<ServiceType> { wrappedValue.handler }
    public var topics: [NotificationTopic] { [topic] + wrappedValue.topics }

    public func makeEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint] {
        let function = handler.function(context.service)
        return topics.map { topic in
            let name = topic.source.topicName
            return NotificationEntrypoint(source: topic.source, attribute: attribute,
                                          invoke: { notification in try await function(name, notification) },
                                          context: context)
        }
    }
}
