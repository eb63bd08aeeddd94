import Logging
import Redis

/// Parks dead letters in Redis, one list per channel: `[<prefix>:]salesforce:dead_letter:<channel>`,
/// each entry the letter's JSON (channel, replay ID, the event's data, error, attempts, time).
/// Used when replay positions are kept in Redis (`PUSHTOPIC_REPLAY_ENABLED`), on the same server.
///
/// Inspect with `redis-cli LRANGE salesforce:dead_letter:/topic/X 0 -1`; replaying a letter is a
/// decision for its owner (the event's replay ID is in it).
public actor RedisDeadLetterStore: DeadLetterStore {
    public static let baseKey = "salesforce:dead_letter:"
    public nonisolated let keyPrefix: String?
    private let redis: RedisConnection

    /// - Throws: `RedisError` for a URI that is not a Redis URI.
    public init(uri: String, keyPrefix: String? = nil, logger: Logger = Logger(label: "salesforce.dead-letters.redis")) throws {
        self.redis = RedisConnection(configuration: try RedisConfiguration(uri: uri), logger: logger)
        self.keyPrefix = keyPrefix.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The Redis list of `channel`'s dead letters.
    public nonisolated func key(for channel: String) -> String {
        if let keyPrefix { return "\(keyPrefix):\(Self.baseKey)\(channel)" }
        return Self.baseKey + channel
    }

    public func park(_ letter: DeadLetter) async throws {
        let json = String(decoding: letter.json.serialized(), as: UTF8.self)
        try await redis.command(["RPUSH", key(for: letter.channel), json])
    }

    public func close() async {
        await redis.close()
    }
}
