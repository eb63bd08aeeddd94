/// Counters of a ``BayeuxSession``'s activity.
public struct BayeuxStatistics: Sendable, Hashable {
    /// Handshake requests sent.
    public var handshakes = 0
    /// `/meta/connect` requests sent.
    public var connects = 0
    /// Subscribe requests sent.
    public var subscribes = 0
    /// Calls to the authenticator's `reauthenticate()`.
    public var reauthentications = 0
    /// Backoff waits.
    public var backoffs = 0
    /// Requests that produced no HTTP response.
    public var transportFailures = 0
    /// Non-2xx HTTP responses.
    public var httpErrors = 0
    /// Replies whose body could not be decoded.
    public var malformedReplies = 0
    /// Subscriptions retried with the configured fallback after an invalid replay ID.
    public var invalidReplayFallbacks = 0
    /// Event (non-meta) messages received.
    public var eventsReceived = 0

    public init() {}
}
