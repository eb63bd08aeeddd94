import Logging
import ServiceKit
import Synchronization

/// Delivers one event to the entrypoints of its channel and reports the combined outcome to the
/// replay tracker: handled when every handler succeeded, parked when a failed one was dead-lettered,
/// failed otherwise (the watermark then stays before the event).
///
/// First attempts reach the container in batches of up to ten times `max_workers` events per
/// entrypoint (so a full waiting line holds the streaming loop back); retries run later in their
/// own tasks, after the policy's delay, and take a worker slot like any event.
final class EventDelivery: WorkerContextDataSource {
    /// What every delivery of a connection shares (a class: each event holds one reference).
    final class Context: Sendable {
        let tracker: ReplayTracker?
        let policy: HandlerFailurePolicy
        let deadLetters: any DeadLetterStore
        let services: ContainerServices
        let logger: Logger

        init(tracker: ReplayTracker?, policy: HandlerFailurePolicy, deadLetters: any DeadLetterStore,
             services: ContainerServices, logger: Logger) {
            self.tracker = tracker
            self.policy = policy
            self.deadLetters = deadLetters
            self.services = services
            self.logger = logger
        }
    }

    /// The channel the event arrived on.
    let channel: String
    /// The event's data as its reply carried it (checked text, decoded by the handler's ``event``).
    private let payload: JSONPayload?
    /// The event's position on its channel.
    let replayID: ReplayID?
    private let clientID: String?
    private let ticket: ReplayTracker.Ticket?
    private let context: Context
    /// The entrypoints the event goes to (stacked subscriptions of one channel).
    private let targets: Int
    /// Handlers still to finish, and the combined outcome so far (read only for several targets).
    private let state: Mutex<(remaining: Int, outcome: ReplayTracker.Outcome)>

    init(channel: String, payload: JSONPayload?, replayID: ReplayID?, clientID: String?, ticket: ReplayTracker.Ticket?,
         targets: Int, context: Context) {
        self.channel = channel
        self.payload = payload
        self.replayID = replayID
        self.clientID = clientID
        self.ticket = ticket
        self.targets = targets
        self.state = Mutex((targets, .handled))
        self.context = context
    }

    /// The event, for one handler call: made by the worker that calls the handler, so that what
    /// the handler decodes is allocated and freed on that worker's thread.
    var event: StreamingEvent {
        StreamingEvent(channel: channel, data: payload?.lazy ?? LazyJSONValue(.null), replayID: replayID)
    }

    /// The worker context data of the event, as nameko-salesforce sets it: `channel`,
    /// `client_id` and `replay_id`.
    var workerContextData: [String: String] {
        var data = [String: String](minimumCapacity: 3)
        data["channel"] = channel
        if let clientID { data["client_id"] = clientID }
        if let replayID { data["replay_id"] = replayID.description }
        return data
    }

    /// Called by a worker whose handler succeeded.
    func handled() {
        targetDone(.handled)
    }

    /// Called by `target`'s worker when the handler of attempt `number` threw `error`: retries,
    /// or parks the event, or stops the service, as the policy says.
    nonisolated(nonsending) func failed(_ target: any StreamingSubscriber, attempt: Int, error: any Error) async {
        let metadata: Logger.Metadata = ["channel": "\(channel)", "replay_id": "\(replayID?.description ?? "none")",
                                         "attempt": "\(attempt)", "error": "\(error)"]
        if attempt < context.policy.maxAttempts {
            let delay = context.policy.delay(afterAttempt: attempt)
            context.logger.warning("handler failed; retrying", metadata: metadata.merging(["retry_in": "\(delay)"]) { $1 })
            Task {
                try? await Task.sleep(for: delay)
                do {
                    try await target.deliver(DeliveryAttempt(delivery: self, number: attempt + 1))
                } catch {
                    // The container is stopping: the event stays unhandled and is delivered again later.
                    self.targetDone(.failed)
                }
            }
            return
        }
        await exhausted(error, attempts: attempt, metadata: metadata)
    }

    private func exhausted(_ error: any Error, attempts: Int, metadata: Logger.Metadata) async {
        switch context.policy.whenExhausted {
        case .deadLetter:
            let letter = DeadLetter(channel: channel, replayID: replayID, data: payload?.decoded ?? .null,
                                    error: "\(error)", attempts: attempts, failedAt: .now)
            do {
                try await context.deadLetters.park(letter)
                context.logger.error("handler failed every attempt; event parked in the dead-letter store", metadata: metadata)
                targetDone(.parked)
            } catch let storeError {
                context.logger.error("handler failed every attempt and the dead-letter store failed too; the replay position stays before the event",
                                     metadata: metadata.merging(["store_error": "\(storeError)"]) { $1 })
                targetDone(.failed)
            }
        case .stop:
            context.logger.error("handler failed every attempt; stopping the service", metadata: metadata)
            await context.services.fail(HandlerFailed(channel: channel, replayID: replayID,
                                                      attempts: attempts, error: "\(error)"))
            targetDone(.failed)
        }
    }

    private func targetDone(_ result: ReplayTracker.Outcome) {
        let final: ReplayTracker.Outcome? = targets == 1 ? result : state.withLock { state in
            switch (state.outcome, result) {
            case (_, .failed), (.failed, _): state.outcome = .failed
            case (_, .parked), (.parked, _): state.outcome = .parked
            default: break
            }
            state.remaining -= 1
            return state.remaining == 0 ? state.outcome : nil
        }
        guard let final, let ticket, let tracker = context.tracker else { return }
        tracker.complete(ticket, outcome: final)
    }
}

/// One attempt at delivering an event to one entrypoint, which runs it in a worker and reports the
/// handler's outcome to ``EventDelivery/handled()`` or ``EventDelivery/failed(_:attempt:error:)``.
struct DeliveryAttempt: Sendable {
    let delivery: EventDelivery
    /// 1 for the first attempt.
    let number: Int
}
