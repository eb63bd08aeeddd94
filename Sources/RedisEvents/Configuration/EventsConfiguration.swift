import Redis
import ServiceKit

/// The `EVENTS` section of a service's configuration.
///
/// ```yaml
/// EVENTS:
///   REDIS_URI: redis://127.0.0.1:6379/0   # required
///   MAXLEN: 100000        # optional: XADD ... MAXLEN ~ n (approximate trimming)
///   MAX_ATTEMPTS: 5       # handler attempts before an event is dead-lettered
///   RETRY_DELAY: 5        # seconds before an event whose handler failed is delivered again
///   ABANDONED_AFTER: 60   # seconds after which an event pending at a silent consumer is taken over
///   BATCH_SIZE: 10        # entries read per XREADGROUP
/// ```
struct EventsConfiguration: Sendable, Equatable {
    static let uriKey = "EVENTS.REDIS_URI"
    static let maxLengthKey = "EVENTS.MAXLEN"
    static let maxAttemptsKey = "EVENTS.MAX_ATTEMPTS"
    static let retryDelayKey = "EVENTS.RETRY_DELAY"
    static let batchSizeKey = "EVENTS.BATCH_SIZE"
    static let abandonedAfterKey = "EVENTS.ABANDONED_AFTER"

    /// Where Redis is; commands time out after the URI's default (2 s).
    var redis: RedisConfiguration
    /// `MAXLEN ~ n` for `XADD`, or nil for no trimming.
    var maxLength: Int?
    /// How many times a handler may fail on one event before it is dead-lettered.
    var maxAttempts: Int
    /// How long after a handler failed its event is delivered again.
    var retryDelay: Duration
    /// How long an entry may stay pending at a consumer that does not renew its claim (it
    /// crashed, or stopped with events it had read but not handled) before another takes it over.
    var abandonedAfter: Duration
    /// How many entries one read returns at most.
    var batchSize: Int

    init(_ configuration: ServiceConfiguration) throws {
        let uri = try configuration.string(Self.uriKey)
        do {
            redis = try RedisConfiguration(uri: uri)
        } catch {
            throw ConfigurationError.invalidValue(key: Self.uriKey, reason: error.message)
        }
        maxLength = try configuration.optionalInt(Self.maxLengthKey)
        if let maxLength, maxLength < 1 {
            throw ConfigurationError.invalidValue(key: Self.maxLengthKey, reason: "must be at least 1, got \(maxLength)")
        }
        maxAttempts = try configuration.optionalInt(Self.maxAttemptsKey) ?? 5
        guard maxAttempts >= 1 else {
            throw ConfigurationError.invalidValue(key: Self.maxAttemptsKey, reason: "must be at least 1, got \(maxAttempts)")
        }
        retryDelay = try Self.seconds(configuration, Self.retryDelayKey, default: 5)
        abandonedAfter = try Self.seconds(configuration, Self.abandonedAfterKey, default: 60)
        batchSize = try configuration.optionalInt(Self.batchSizeKey) ?? 10
        guard batchSize >= 1 else {
            throw ConfigurationError.invalidValue(key: Self.batchSizeKey, reason: "must be at least 1, got \(batchSize)")
        }
    }

    private static func seconds(_ configuration: ServiceConfiguration, _ key: String, default value: Double) throws -> Duration {
        let seconds = try configuration.optionalDouble(key) ?? value
        guard seconds >= 0.01, seconds.isFinite else {
            throw ConfigurationError.invalidValue(key: key, reason: "must be at least 0.01 seconds, got \(seconds)")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// `duration` in whole milliseconds, as Redis's idle-time arguments want it.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// How long a blocking read waits for new entries: short, so that stop is prompt and
    /// retries and takeovers happen about when they are due.
    var blockMilliseconds: Int64 {
        min(1000, max(20, Self.milliseconds(min(retryDelay, abandonedAfter)) / 2))
    }

    /// How often pending entries are checked for takeover and claims of running ones renewed.
    var sweepInterval: Duration {
        min(.seconds(1), abandonedAfter / 3)
    }

    /// The configuration of a connection that does blocking reads: its command timeout must
    /// outlast the `BLOCK` time.
    var blockingRedis: RedisConfiguration {
        var configuration = redis
        configuration.commandTimeout = .milliseconds(blockMilliseconds) + redis.commandTimeout
        return configuration
    }
}
