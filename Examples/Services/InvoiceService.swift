import Logging
import SalesforceStreaming
import ServiceKit

/// The seed's "Simple Subscription": handles updates of invoice statements published on an
/// existing PushTopic.
public struct InvoiceService: Service {
    public static let name = "some-service"

    @Subscribe("/topic/InvoiceStatementUpdates") var onInvoice = Self.handleEvent

    public init() {}

    /// Handle Salesforce invoice statement updates.
    public func handleEvent(topic: String, event: StreamingEvent) async throws {
        let logger = WorkerContext.current?.logger ?? Logger(label: Self.name)
        let name = event.sobject?["Name"]?.stringValue ?? "?"
        let status = event.sobject?["Status__c"]?.stringValue ?? "?"
        logger.info("handled event on \(topic) replay_id=\(event.replayID?.description ?? "none"): invoice \(name) is \(status)")
    }
}
