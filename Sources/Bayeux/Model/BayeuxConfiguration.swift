import Metrics

/// How a ``BayeuxSession`` talks to its server.
public struct BayeuxConfiguration: Sendable {
    /// Bayeux `version` sent on handshake.
    public var version: String = "1.0"
    /// Bayeux `minimumVersion` sent on handshake.
    public var minimumVersion: String = "1.0"
    /// Use the replay extension: `ext: {"replay": true}` on handshake and
    /// `ext.replay: {channel: position}` on each subscribe (one channel per subscribe request).
    public var replay: Bool = true
    /// The position used when the ``ReplayPositionSource`` has none (or there is no source).
    public var defaultReplayPosition: ReplayPosition = .newEvents
    /// The long-poll duration assumed before the server sends `advice.timeout`.
    public var initialTimeout: Duration = .seconds(110)
    /// Added to the advised long-poll timeout to give the HTTP timeout of a `/meta/connect`.
    public var requestTimeoutMargin: Duration = .seconds(15)
    /// HTTP timeout of handshake and subscribe requests.
    public var metaRequestTimeout: Duration = .seconds(30)
    /// HTTP timeout of the best-effort `/meta/disconnect` sent by `stop()`.
    public var disconnectTimeout: Duration = .seconds(2)
    /// Delays between retries after transient failures.
    public var backoff: BackoffPolicy = BackoffPolicy()
    /// Requests with a larger body are refused (Salesforce answers 413 above 32 768 bytes).
    public var maxRequestBytes: Int = 32_768
    /// When the server rejects a subscription's replay ID as invalid (expired, unknown), subscribe
    /// that channel again from this position and log a warning that events may have been missed.
    /// `nil`: the stream fails with ``BayeuxError/subscriptionFailed(channel:error:)``.
    public var invalidReplayFallback: ReplayPosition? = nil
    /// After a `/meta/connect` is lost (transport failure, HTTP 5xx, malformed reply) — it may have
    /// carried events the server already dequeued — handshake again and resubscribe from the
    /// replay source, so the lost batch is replayed; `false`: just connect again.
    public var rehandshakeAfterLostConnect: Bool = true
    /// Send `advice: {timeout: 0}` on the first connect after a handshake so the server answers
    /// at once (as CometD clients do).
    public var immediateFirstConnect: Bool = true

    /// Where the session's metrics go (`bayeux_replay_fallbacks_total`); nil: the process-wide
    /// `MetricsSystem` (a no-op until the application bootstraps one).
    public var metricsFactory: (any MetricsFactory)? = nil

    public init() {}
}
