/// An entrypoint that receives the events of one channel from the shared ``StreamingClient``.
public protocol StreamingSubscriber: Actor {
    /// The channel to subscribe to, e.g. `/topic/InvoiceStatementUpdates`.
    nonisolated var channel: String { get }
    /// Starts a worker for `event` (suspending while all workers are busy) and reports its outcome
    /// through `completion`. Throws when the container takes no more workers.
    func deliver(_ event: StreamingEvent, clientID: String?,
                 completion: @escaping @Sendable (Result<Void, any Error>) async -> Void) async throws
}

extension StreamingEvent {
    /// The worker context data of a streaming event, as nameko-salesforce sets it: `channel`,
    /// `client_id` and `replay_id`.
    func workerContextData(clientID: String?) -> [String: String] {
        var data = [String: String](minimumCapacity: 3)
        data["channel"] = channel
        if let clientID { data["client_id"] = clientID }
        if let replayID { data["replay_id"] = replayID.description }
        return data
    }
}
