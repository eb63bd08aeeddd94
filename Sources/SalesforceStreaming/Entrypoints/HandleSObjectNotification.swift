import ServiceKit

/// A `(sobjectType, recordType, notification)` handler, as written in a
/// `@HandleSObjectNotification` declaration.
public struct SObjectNotificationHandler<S: Service>: SObjectNotificationStack {
    public typealias Function = @Sendable (S) -> @Sendable (String, String?, PushTopicNotification) async throws -> Void
    public let function: Function
    public var handler: SObjectNotificationHandler<S> { self }
    public var objectTopics: [SObjectNotificationTopic] { [] }
}

/// One sObject topic of a declaration.
public struct SObjectNotificationTopic: Sendable, Hashable {
    let spec: SObjectTopicSpec
}

/// What `@HandleSObjectNotification` wraps: a handler, or another `@HandleSObjectNotification`.
public protocol SObjectNotificationStack: Sendable {
    associatedtype ServiceType: Service
    var handler: SObjectNotificationHandler<ServiceType> { get }
    /// Every sObject topic in the stack, outermost first.
    var objectTopics: [SObjectNotificationTopic] { get }
}

/// Handles changes of Salesforce records of one type, building and declaring the PushTopic itself
/// (nameko-salesforce's `handle_sobject_notification`). The handler gets the sObject type, the
/// record type (or nil) and the notification.
///
/// ```swift
/// @HandleSObjectNotification("Lead")
/// @HandleSObjectNotification("Opportunity")
/// var onChange = Self.handleSalesforceUpdates
///
/// func handleSalesforceUpdates(sobjectType: String, recordType: String?, notification: PushTopicNotification) async throws
/// ```
///
/// The topic is named `<SObject><RecordType>` (shortened deterministically past 25 characters) and
/// queries `Id, Name, LastModifiedById, LastModifiedDate` (no `Name` for objects without one). With
/// `recordType`, only records of that record type (by developer name) notify; with
/// `excludeCurrentUser` (default, as nameko-salesforce), changes made by the user the service logs in
/// as do not notify, so changes made through the `SalesforceAPI` dependency are not handled again.
/// `declare: false` only subscribes to an existing topic of that name.
@propertyWrapper
public struct HandleSObjectNotification<Value: SObjectNotificationStack>: SObjectNotificationStack, EntrypointDeclaration {
    public typealias ServiceType = Value.ServiceType
    public let wrappedValue: Value
    private let topic: SObjectNotificationTopic

    /// Stacks on another `@HandleSObjectNotification`.
    public init(wrappedValue: Value, _ sobjectType: String, recordType: String? = nil, excludeCurrentUser: Bool = true,
                declare: Bool = true, notifyForFields: NotifyForFields = .all,
                notifyForOperationCreate: Bool = true, notifyForOperationUpdate: Bool = true,
                notifyForOperationDelete: Bool = true, notifyForOperationUndelete: Bool = true) {
        self.wrappedValue = wrappedValue
        let options = PushTopicOptions(notifyForFields: notifyForFields, notifyForOperationCreate: notifyForOperationCreate,
                                       notifyForOperationUpdate: notifyForOperationUpdate,
                                       notifyForOperationDelete: notifyForOperationDelete,
                                       notifyForOperationUndelete: notifyForOperationUndelete)
        self.topic = SObjectNotificationTopic(spec: SObjectTopicSpec(sobjectType: sobjectType, recordType: recordType,
                                                                     excludeCurrentUser: excludeCurrentUser,
                                                                     declare: declare, options: options))
    }

    /// Declares `wrappedValue` (a method reference such as `Self.handleSalesforceUpdates`) for `sobjectType`.
    public init<S: Service>(wrappedValue: @escaping SObjectNotificationHandler<S>.Function, _ sobjectType: String,
                            recordType: String? = nil, excludeCurrentUser: Bool = true, declare: Bool = true,
                            notifyForFields: NotifyForFields = .all,
                            notifyForOperationCreate: Bool = true, notifyForOperationUpdate: Bool = true,
                            notifyForOperationDelete: Bool = true, notifyForOperationUndelete: Bool = true)
    where Value == SObjectNotificationHandler<S> {
        self.init(wrappedValue: SObjectNotificationHandler(function: wrappedValue), sobjectType, recordType: recordType,
                  excludeCurrentUser: excludeCurrentUser, declare: declare, notifyForFields: notifyForFields,
                  notifyForOperationCreate: notifyForOperationCreate, notifyForOperationUpdate: notifyForOperationUpdate,
                  notifyForOperationDelete: notifyForOperationDelete, notifyForOperationUndelete: notifyForOperationUndelete)
    }

    public var handler: SObjectNotificationHandler<ServiceType> { wrappedValue.handler }
    public var objectTopics: [SObjectNotificationTopic] { [topic] + wrappedValue.objectTopics }

    public func makeEntrypoints(attribute: String, context: ContainerContext<ServiceType>) -> [any Entrypoint] {
        let function = handler.function(context.service)
        return objectTopics.map { topic in
            let (sobjectType, recordType) = (topic.spec.sobjectType, topic.spec.recordType)
            return NotificationEntrypoint(source: .sobject(topic.spec), attribute: attribute,
                                          invoke: { notification in try await function(sobjectType, recordType, notification) },
                                          context: context)
        }
    }
}
