/// An entrypoint that receives the events of one channel from the shared ``StreamingClient``.
public protocol StreamingSubscriber: Actor {
    /// The channel to subscribe to, e.g. `/topic/InvoiceStatementUpdates`.
    nonisolated var channel: String { get }
    /// Starts a worker for `event` (suspending while all workers are busy) and reports its outcome
    /// through `completion`. Throws when the container takes no more workers.
    func deliver(_ event: StreamingEvent, clientID: String?,
                 completion: @escaping @Sendable (Result<Void, any Error>) async -> Void) async throws
}
