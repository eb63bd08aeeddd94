import Redis

/// Why a ``RedisReplayStore`` could not be created or could not read a stored position.
/// Messages name the server with its password redacted.
public enum RedisReplayStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The Redis URI or the TTL is not usable.
    case invalidConfiguration(String)
    /// Redis stayed unreachable for `waited` while reading `channel`'s position.
    case unavailable(server: String, channel: String, waited: Duration, underlying: RedisError)
    /// Redis answered the read with an error (e.g. the key holds a non-string type, wrong password).
    case readFailed(server: String, channel: String, underlying: RedisError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            "replay store configuration: \(message)"
        case .unavailable(let server, let channel, let waited, let underlying):
            "cannot read the stored replay position of \(channel): Redis at \(server) was unreachable for \(waited) (\(underlying))"
        case .readFailed(let server, let channel, let underlying):
            "cannot read the stored replay position of \(channel) from Redis at \(server): \(underlying)"
        }
    }
}
