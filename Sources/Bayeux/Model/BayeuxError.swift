/// Why a Bayeux session ended (or an operation was refused).
public enum BayeuxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server refused the handshake for a reason retrying cannot fix (e.g. a bad API version).
    case handshakeFailed(String)
    /// The server refused a subscription (permissions, unknown channel, invalid replay ID
    /// without a fallback...).
    case subscriptionFailed(channel: String, error: String)
    /// The server broke the protocol in a way the client cannot recover from.
    case protocolViolation(String)
    /// A request body would exceed the configured maximum (Salesforce rejects POSTs above 32 KiB).
    case requestTooLarge(bytes: Int, limit: Int)
    /// The session was stopped.
    case stopped
    /// `messages(subscribingTo:)` or `messageBatches(subscribingTo:)` was called on a session that already runs a stream.
    case alreadyStarted
    /// The authenticator failed with a fatal error (the stream rethrows the original error;
    /// this case is what the state machine reports).
    case authenticationFailed(String)

    public var description: String {
        switch self {
        case .handshakeFailed(let reason):
            "Bayeux handshake failed: \(reason)"
        case .subscriptionFailed(let channel, let error):
            "Bayeux subscription to \(channel) failed: \(error)"
        case .protocolViolation(let what):
            "Bayeux protocol violation: \(what)"
        case .requestTooLarge(let bytes, let limit):
            "Bayeux request of \(bytes) bytes exceeds the limit of \(limit) bytes"
        case .stopped:
            "Bayeux session stopped"
        case .alreadyStarted:
            "Bayeux session already has a message stream; create one session per stream"
        case .authenticationFailed(let reason):
            "Bayeux authentication failed: \(reason)"
        }
    }
}
