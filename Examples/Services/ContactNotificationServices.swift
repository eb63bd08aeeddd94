import Logging
import Salesforce
import SalesforceStreaming
import ServiceKit

/// The seed's "Generic Notification Handling": declares the `ContactUpdates` PushTopic from a query
/// at start-up (created when missing, updated when it differs), then handles its notifications.
public struct ContactUpdatesService: Service {
    public static let name = "contact-updates"

    @HandleNotification(name: "ContactUpdates", query: "SELECT Id, Name, Email FROM Contact")
    var onContact = Self.handleContactUpdates

    public init() {}

    /// Handle Salesforce contacts updates.
    public func handleContactUpdates(name: String, notification: PushTopicNotification) async throws {
        WorkerContext.current?.logger.info(
            "\(name): contact \(notification.sobject["Name"]?.stringValue ?? "?") \(notification.event.type)")
    }
}

/// The seed's PushTopic options: only first and last name changes of existing contacts notify.
public struct ContactNameService: Service {
    public static let name = "contact-names"

    @HandleNotification(name: "ContactNameUpdated", query: "SELECT Id, FirstName, LastName FROM Contact",
                        notifyForFields: .select, notifyForOperationCreate: false, notifyForOperationUpdate: true,
                        notifyForOperationDelete: false, notifyForOperationUndelete: false)
    var onNameChange = Self.handleContactUpdates

    public init() {}

    /// Handles only first and last name changes of existing contacts; ignores any other modification.
    public func handleContactUpdates(name: String, notification: PushTopicNotification) async throws {
        let contact = notification.sobject
        WorkerContext.current?.logger.info(
            "\(name): contact renamed to \(contact["FirstName"]?.stringValue ?? "") \(contact["LastName"]?.stringValue ?? "")")
    }
}

/// The seed's "Salesforce Objects Notification Handling": the PushTopic query is built for the
/// `Contact` object.
public struct ContactChangesService: Service {
    public static let name = "contact-changes"

    @HandleSObjectNotification("Contact") var onContact = Self.handleContactUpdates

    public init() {}

    /// Handle Salesforce contacts updates.
    public func handleContactUpdates(sobjectType: String, recordType: String?, notification: PushTopicNotification) async throws {
        WorkerContext.current?.logger.info("\(sobjectType) \(notification.sobject["Id"]?.stringValue ?? "?") \(notification.event.type)")
    }
}

/// The seed's full `handle_sobject_notification` example: name changes of existing `Student`
/// contacts, ignoring changes made by the user this service logs in as. The handler writes back
/// through the `SalesforceAPI` dependency (capitalizing the last name): that change is made as the
/// service's own user, so `excludeCurrentUser` keeps it from notifying the service again.
public struct StudentContactService: Service {
    public static let name = "student-contacts"

    @HandleSObjectNotification("Contact", recordType: "Student", excludeCurrentUser: true,
                               notifyForFields: .select, notifyForOperationCreate: false, notifyForOperationUpdate: true,
                               notifyForOperationDelete: false, notifyForOperationUndelete: false)
    var onStudent = Self.handleContactUpdates

    @Dependency(SalesforceAPI()) var salesforce

    public init() {}

    /// Handle Salesforce student contacts name changes: keep last names capitalized.
    public func handleContactUpdates(sobjectType: String, recordType: String?, notification: PushTopicNotification) async throws {
        guard let id = notification.sobject["Id"]?.stringValue else { return }
        let contact = try await salesforce.get(sobjectType, id: id, fields: ["LastName"])
        guard let lastName = contact["LastName"]?.stringValue else { return }
        let capitalized = lastName.prefix(1).uppercased() + lastName.dropFirst()
        WorkerContext.current?.logger.info("\(recordType ?? "") \(sobjectType) \(id) renamed to \(notification.sobject["Name"]?.stringValue ?? "?")")
        guard capitalized != lastName else { return }
        try await salesforce.update(sobjectType, id: id, fields: ["LastName": .string(capitalized)])
    }
}
