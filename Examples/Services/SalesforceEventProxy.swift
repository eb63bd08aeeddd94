import Logging
import RedisEvents
import SalesforceStreaming
import ServiceKit

/// The seed's "Salesforce to Nameko Event Proxy": Lead and Opportunity changes become events such
/// as `salesforce_lead_updated` with the record as payload, on the `salesforce-proxy.events` Redis
/// stream (`EVENTS.REDIS_URI`).
public struct SalesforceEventProxy: Service {
    public static let name = "salesforce-proxy"

    @Dependency(EventDispatcher()) var dispatch

    @HandleSObjectNotification("Lead")
    @HandleSObjectNotification("Opportunity")
    var onUpdate = Self.handleSalesforceUpdates

    public init() {}

    /// Proxy Salesforce object changes notifications to events.
    public func handleSalesforceUpdates(sobjectType: String, recordType: String?, notification: PushTopicNotification) async throws {
        let event = "salesforce_\(sobjectType.lowercased())_\(notification.event.type)"
        try await dispatch(event, notification.sobject)
    }
}

/// Another service consuming the proxy's events: one worker among its instances handles each.
public struct LeadFollowUpService: Service {
    public static let name = "lead-follow-up"

    @EventHandler("salesforce-proxy", "salesforce_lead_created") var onLead = Self.handleNewLead

    public init() {}

    public func handleNewLead(_ event: EventMessage) async throws {
        WorkerContext.current?.logger.info("new lead \(event.payload["Name"]?.stringValue ?? "?") from \(event.sourceService)")
    }
}
