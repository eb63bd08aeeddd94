import ServiceKit

/// What happens to an event whose handler fails: it is retried with growing delays, then either
/// parked in a dead-letter store (the replay position may then pass it) or the service stops (the
/// position stays before it, so the event is delivered again after a restart). Nothing is dropped.
///
/// ```yaml
/// SALESFORCE:
///   HANDLER_RETRY_ATTEMPTS: 3        # attempts in all, including the first
///   HANDLER_RETRY_DELAY: 1.0         # seconds before the first retry; doubles, at most 30 s
///   HANDLER_FAILURE_POLICY: dead_letter   # or: stop
/// ```
public struct HandlerFailurePolicy: Sendable, Equatable {
    /// What to do once every attempt failed.
    public enum Exhausted: String, Sendable, Equatable {
        /// Park the event with its payload and error in the dead-letter store and go on.
        case deadLetter = "dead_letter"
        /// Stop the service with an error naming the event.
        case stop
    }

    public var maxAttempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var whenExhausted: Exhausted

    public init(maxAttempts: Int = 3, initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(30),
                whenExhausted: Exhausted = .deadLetter) {
        self.maxAttempts = maxAttempts
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.whenExhausted = whenExhausted
    }

    /// Reads `HANDLER_RETRY_ATTEMPTS`, `HANDLER_RETRY_DELAY` and `HANDLER_FAILURE_POLICY` from `section`.
    public init(configuration: ServiceConfiguration, section: String) throws {
        self.init()
        if let attempts = try configuration.optionalInt("\(section).HANDLER_RETRY_ATTEMPTS") {
            guard attempts >= 1 else {
                throw ConfigurationError.invalidValue(key: "\(section).HANDLER_RETRY_ATTEMPTS", reason: "must be at least 1, got \(attempts)")
            }
            maxAttempts = attempts
        }
        if let delay = try configuration.optionalDouble("\(section).HANDLER_RETRY_DELAY") {
            guard delay >= 0 else {
                throw ConfigurationError.invalidValue(key: "\(section).HANDLER_RETRY_DELAY", reason: "must not be negative")
            }
            initialDelay = .milliseconds(Int64(delay * 1000))
        }
        if let policy = try configuration.optionalString("\(section).HANDLER_FAILURE_POLICY") {
            guard let value = Exhausted(rawValue: policy) else {
                throw ConfigurationError.invalidValue(key: "\(section).HANDLER_FAILURE_POLICY",
                                                      reason: "'\(policy)' is not one of dead_letter, stop")
            }
            whenExhausted = value
        }
    }

    /// The wait before attempt `attempt + 1`.
    func delay(afterAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(attempt, 1) {
            delay = min(delay * 2, maximumDelay)
        }
        return min(delay, maximumDelay)
    }
}

/// The service was stopped because a handler kept failing (`HANDLER_FAILURE_POLICY: stop`).
public struct HandlerFailed: Error, CustomStringConvertible {
    public let channel: String
    public let replayID: ReplayID?
    public let attempts: Int
    public let error: String

    public var description: String {
        "handler failed \(attempts) time(s) on \(channel) replay ID \(replayID?.description ?? "none"): \(error); "
            + "the service stops so the event is delivered again after a restart"
    }
}
