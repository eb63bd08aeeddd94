import Logging
import Redis

/// A ``ReplayStore`` in Redis, compatible with nameko-salesforce (`PUSHTOPIC_REPLAY_ENABLED`).
///
/// **Keys.** `salesforce:replay_id:<channel>`, exactly the key nameko-salesforce uses, so a
/// service ported from Python resumes from the position its predecessor stored. With a
/// `keyPrefix` the key is `<prefix>:salesforce:replay_id:<channel>`: give each org or service its
/// own prefix when several share one Redis database, or they overwrite each other's positions.
///
/// **Values.** ``ReplayID/storageText``: an integer ID is written as its decimal text (`123`, as the
/// Python original writes it), any other ID as its compact JSON text. Each write sets the value and
/// its expiry in one command (`SET key value EX ttl`).
///
/// **Reading a stored value.** Salesforce replay IDs are opaque, so whatever is stored is used:
/// text that parses as JSON becomes that value (`123` → the integer 123), any other text is kept
/// as an opaque string ID and sent back as is. Only an empty value (or JSON `null`) means "no
/// position"; it is logged as a warning. If Salesforce rejects a stored ID as invalid (expired or
/// foreign), the subscription falls back to `PUSHTOPIC_REPLAY_FALLBACK`.
///
/// **Expiry.** Positions expire after `ttl` (Salesforce retains events 24 to 72 hours, so an older
/// position is useless). A running streaming client refreshes the expiry of every subscribed
/// channel every ``refreshInterval`` (a quarter of the TTL, at most a minute), so a quiet channel
/// keeps its position; the Python original only refreshed it when an event arrived. A position
/// found missing then (Redis restarted without persistence) is written again from memory.
///
/// **Redis down.** Writes and refreshes fail at once with the ``RedisError``; the streaming
/// client keeps the position in memory and writes it again later. Reads (done once, when the
/// connection starts) retry connection failures with backoff for `readRetryWindow`, then throw
/// ``RedisReplayStoreError/unavailable(server:channel:waited:underlying:)``, which fails the
/// container's start with the server named (password redacted).
public actor RedisReplayStore: ReplayStore {
    /// The server, as a URI with the password replaced by `***`.
    public nonisolated let server: String
    /// How long a stored position lives without being written or refreshed.
    public nonisolated let ttl: Duration
    /// The namespace in front of `salesforce:replay_id:`, if any.
    public nonisolated let keyPrefix: String?
    /// A quarter of ``ttl``, at most 60 seconds.
    public nonisolated let refreshInterval: Duration?
    /// How long a read keeps retrying while Redis is unreachable.
    public nonisolated let readRetryWindow: Duration

    private let redis: RedisConnection
    private let ttlSeconds: String
    private let logger: Logger

    /// The key prefix nameko-salesforce uses.
    public static let baseKey = "salesforce:replay_id:"
    /// The default of `readRetryWindow`.
    public static let defaultReadRetryWindow: Duration = .seconds(30)

    /// Creates a store; nothing is sent to Redis until the first read or write.
    ///
    /// - Parameters:
    ///   - uri: `redis://[[user]:password@]host[:port][/db]` or `unix:///path?db=N&password=...`.
    ///   - ttl: the expiry of each stored position; whole seconds, at least 1.
    ///   - keyPrefix: a namespace for the keys; nil or empty for nameko-salesforce's keys.
    ///   - readRetryWindow: how long reads retry while Redis is unreachable.
    /// - Throws: ``RedisReplayStoreError/invalidConfiguration(_:)`` for a bad URI (the message never
    ///   contains the password) or a TTL under one second.
    public init(uri: String, ttl: Duration, keyPrefix: String? = nil,
                readRetryWindow: Duration = RedisReplayStore.defaultReadRetryWindow,
                logger: Logger = Logger(label: "salesforce.replay.redis")) throws {
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(uri: uri)
        } catch {
            throw RedisReplayStoreError.invalidConfiguration("invalid Redis URI: \(error.message)")
        }
        let seconds = ttl.components.seconds + (ttl.components.attoseconds > 0 ? 1 : 0)
        guard seconds >= 1 else {
            throw RedisReplayStoreError.invalidConfiguration("the replay TTL must be at least one second, got \(ttl)")
        }
        var logger = logger
        logger[metadataKey: "redis.server"] = "\(configuration)"
        self.server = configuration.description
        self.ttl = .seconds(seconds)
        self.ttlSeconds = String(seconds)
        self.keyPrefix = keyPrefix.flatMap { $0.isEmpty ? nil : $0 }
        self.refreshInterval = min(Duration.seconds(seconds) / 4, .seconds(60))
        self.readRetryWindow = readRetryWindow
        self.logger = logger
        self.redis = RedisConnection(configuration: configuration, logger: logger)
    }

    /// The Redis key of `channel`'s position.
    public nonisolated func key(for channel: String) -> String {
        if let keyPrefix { return "\(keyPrefix):\(Self.baseKey)\(channel)" }
        return Self.baseKey + channel
    }

    // MARK: ReplayStore

    public func replayID(for channel: String) async throws -> ReplayID? {
        let key = key(for: channel)
        let reply = try await readWithRetry(["GET", key], channel: channel)
        guard let data = reply.dataValue else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        guard let replayID = Self.decode(text) else {
            logger.warning("stored replay position is empty; subscribing as if none were stored",
                           metadata: ["key": "\(key)", "value": "\(text)"])
            return nil
        }
        return replayID
    }

    public func setReplayID(_ replayID: ReplayID, for channel: String) async throws {
        try await redis.command(["SET", key(for: channel), replayID.storageText, "EX", ttlSeconds])
    }

    /// Extends the expiry of the stored positions of `channels` to the full TTL, in one round
    /// trip (`EXPIRE` pipelined).
    ///
    /// - Returns: the channels with no stored position (`EXPIRE` found no key); none is created.
    @discardableResult
    public func refresh(channels: [String]) async throws -> [String] {
        guard !channels.isEmpty else { return [] }
        let replies = try await redis.pipeline(channels.map { ["EXPIRE", key(for: $0), ttlSeconds] })
        var missing: [String] = []
        for (channel, reply) in zip(channels, replies) {
            if case .error(let message) = reply { throw RedisError.server(message) }
            if reply.integerValue == 0 { missing.append(channel) }
        }
        return missing
    }

    /// Closes the connection; later calls fail.
    public func close() async {
        await redis.close()
    }

    // MARK: Helpers

    /// The stored `text` as a replay ID: JSON text as that value, other text as an opaque string,
    /// nil for empty text and JSON `null`.
    static func decode(_ text: String) -> ReplayID? {
        ReplayID(storageText: text)
    }

    /// Runs a read, retrying connection failures and timeouts with backoff for `readRetryWindow`.
    private func readWithRetry(_ command: [String], channel: String) async throws -> RESPValue {
        let clock = ContinuousClock()
        let deadline = clock.now + readRetryWindow
        var delay = Duration.milliseconds(250)
        var attempts = 0
        while true {
            attempts += 1
            do throws(RedisError) {
                return try await redis.command(command)
            } catch where error.kind == .connection || error.kind == .timeout {
                let now = clock.now
                guard now < deadline else {
                    throw RedisReplayStoreError.unavailable(server: server, channel: channel,
                                                            waited: readRetryWindow, underlying: error)
                }
                if attempts == 1 {
                    logger.warning("Redis unreachable while reading the replay position; retrying",
                                   metadata: ["channel": "\(channel)", "error": "\(error)",
                                              "retry_for": "\(readRetryWindow)"])
                }
                try await Task.sleep(for: min(delay, deadline - now))
                delay = min(delay * 2, .seconds(5))
            } catch {
                throw RedisReplayStoreError.readFailed(server: server, channel: channel, underlying: error)
            }
        }
    }
}
