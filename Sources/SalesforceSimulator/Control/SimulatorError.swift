/// Why a control operation was refused.
public enum SimulatorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The channel name is not a Streaming API channel (`/topic/X`, `/event/X__e`, ...).
    case invalidChannelName(String)
    /// No such channel exists in the org.
    case unknownChannel(String)
    /// The body does not fit the channel's kind (e.g. a payload for a PushTopic).
    case invalidEvent(String)
    /// A wait on the org's state did not end in time.
    case timedOut(String)

    public var description: String {
        switch self {
        case .invalidChannelName(let c): "not a Streaming API channel name: \(c)"
        case .unknownChannel(let c): "no such channel: \(c)"
        case .invalidEvent(let m): "invalid event: \(m)"
        case .timedOut(let m): "timed out \(m)"
        }
    }
}
