import Redis
import ServiceKit
import TestSupport

/// Redis for these tests, started through TestSupport's `RedisTestServer` (never assumes one runs).
///
/// Tests share one instance on port 16395 and each takes a database of its own (flushed first),
/// so stream and group names never collide between tests running in parallel. Tests that stop
/// or restart Redis use `RedisTestServer.withPrivateServer`.
enum EventsTestRedis {
    static let sharedPort = 16395

    private static let allocator = DatabaseAllocator()

    /// A fresh, empty database on the shared instance: its URI and a connection to inspect it.
    static func database() async throws -> (uri: String, redis: RedisConnection) {
        _ = try await RedisTestServer.shared(port: sharedPort)
        let database = await allocator.next()
        let uri = "redis://127.0.0.1:\(sharedPort)/\(database)"
        let redis = RedisConnection(configuration: try RedisConfiguration(uri: uri))
        try await redis.command(["FLUSHDB"])
        return (uri, redis)
    }

    /// Hands out databases 1...15.
    private actor DatabaseAllocator {
        private var counter = 0

        func next() -> Int {
            counter += 1
            return (counter - 1) % 15 + 1
        }
    }
}

extension ServiceConfiguration {
    /// An `EVENTS` configuration for `uri` with quick retries, plus extra top-level YAML.
    static func events(_ uri: String, retryDelay: Double = 0.1, maxAttempts: Int = 3,
                       abandonedAfter: Double = 60, extra: String = "") throws -> ServiceConfiguration {
        try .parse(yaml: """
            \(extra)
            EVENTS:
              REDIS_URI: \(uri)
              RETRY_DELAY: \(retryDelay)
              MAX_ATTEMPTS: \(maxAttempts)
              ABANDONED_AFTER: \(abandonedAfter)
            """)
    }
}
