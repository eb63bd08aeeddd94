import ServiceKit

/// An entrypoint that receives the events of one channel from the shared ``StreamingClient``.
protocol StreamingSubscriber: Actor {
    /// The channel to subscribe to, e.g. `/topic/InvoiceStatementUpdates`.
    nonisolated var channel: String { get }
    /// Starts a worker for `attempt` (suspending while all workers are busy) that reports the
    /// handler's outcome to its delivery. Throws when the container takes no more workers.
    nonisolated func deliver(_ attempt: DeliveryAttempt) async throws
    /// Hands the container a worker for the first attempt of each of `deliveries` (events of one
    /// reply, in order), suspending while its waiting line is full. Those not started when
    /// the container stops are dropped: the replay tracker delivers them again.
    nonisolated func deliver(_ deliveries: [EventDelivery?]) async throws
}

/// A subscriber whose workers call a handler of a `ServiceType` service.
protocol StreamingHandler<ServiceType>: StreamingSubscriber {
    associatedtype ServiceType: Service
    /// The entrypoint's name, e.g. `on_event(/topic/InvoiceStatementUpdates)`.
    nonisolated var name: String { get }
    /// The container its workers run in.
    nonisolated var context: ContainerContext<ServiceType> { get }
    /// Runs the user's handler for `event` (bound to the container's service when the entrypoint
    /// was made, see ``ContainerContext/service``).
    nonisolated(nonsending) func handle(_ event: StreamingEvent) async throws
}

extension StreamingHandler {
    nonisolated func deliver(_ attempt: DeliveryAttempt) async throws {
        try await context.spawnWorker(StreamingWorkerJob(subscriber: self, attempt: attempt))
    }

    nonisolated func deliver(_ deliveries: [EventDelivery?]) async throws {
        try await context.spawnWorkers(StreamingWorkerJobs(subscriber: self, deliveries: TakeOnceList(deliveries)))
    }
}

/// A streaming worker: one attempt of one event for one entrypoint. Three references, so the
/// job reaches the worker pool without an allocation of its own.
struct StreamingWorkerJob<Subscriber: StreamingHandler>: WorkerJob {
    let subscriber: Subscriber
    let attempt: DeliveryAttempt

    var entrypoint: String { subscriber.name }
    /// The delivery: a reference, where the job itself would be copied into the context.
    var contextData: any WorkerContextDataSource { attempt.delivery }

    @inline(__always)  // into its protocol witness: one async frame per event, not two
    nonisolated(nonsending) func handle(_: Subscriber.ServiceType) async throws {
        // The subscriber's handler is bound to the service already.
        try await subscriber.handle(attempt.delivery.event)
    }

    @inline(__always)
    nonisolated(nonsending) func completed(_ result: Result<Void, any Error>) async {
        switch result {
        case .success: attempt.delivery.handled()  // no suspension on the path every event takes
        case .failure(let error): await attempt.delivery.failed(subscriber, attempt: attempt.number, error: error)
        }
    }
}

/// The first attempts of a reply's events for one subscriber, as one batch of worker jobs.
///
/// Each delivery is taken out of the batch when its worker starts, so the worker holds the last
/// reference to its event and frees it (with what the handler decoded) when it ends. A batch
/// that kept its deliveries freed a hundred events at once, on the thread of its last worker,
/// and those bursts of frees made malloc's locks the most contended of a burst of events.
struct StreamingWorkerJobs<Subscriber: StreamingHandler>: WorkerJobBatch {
    let subscriber: Subscriber
    let deliveries: TakeOnceList<EventDelivery>

    var count: Int { deliveries.count }

    /// The job of delivery `index`; the pool asks for each index once.
    func job(at index: Int) -> StreamingWorkerJob<Subscriber> {
        guard let delivery = deliveries.take(index) else { preconditionFailure("worker \(index) of a batch started twice") }
        return StreamingWorkerJob(subscriber: subscriber, attempt: DeliveryAttempt(delivery: delivery, number: 1))
    }
}
