/// A service: a struct whose properties declare entrypoints and dependencies.
///
/// ```swift
/// struct InvoiceService: Service {
///     static let name = "some-service"
///     @Subscribe("/topic/InvoiceStatementUpdates") var onInvoice = Self.handleEvent
///     func handleEvent(topic: String, event: StreamingEvent) async throws { ... }
/// }
/// ```
///
/// The container makes one value with `init()` when it is created and reads its declarations
/// through reflection. Every worker (one per event) runs on a fresh copy of that value, so state a
/// handler writes into `self` never leaks into another worker, as with Nameko's per-worker
/// service instances.
public protocol Service: Sendable {
    /// The service's name: used in logs, worker call IDs and as the default event source name.
    static var name: String { get }
    init()
}
