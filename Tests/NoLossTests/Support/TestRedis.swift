import Foundation
import Redis
import TestSupport

/// A private redis-server on a free port, started and stopped through the package's scripts
/// (TestSupport's `RedisTestServer`).
struct TestRedis: Sendable {
    let port: Int

    /// Starts an instance on a port that was free a moment ago.
    static func start() async throws -> TestRedis {
        let redis = TestRedis(port: try RedisTestServer.freePort())
        try await redis.start()
        return redis
    }

    func start() async throws {
        _ = try await RedisTestServer.start(port: port)
    }

    func stop() async throws {
        try await RedisTestServer.stop(port: port)
    }

    func uri(database: Int) -> String { "redis://127.0.0.1:\(port)/\(database)" }

    func connection(database: Int) -> RedisConnection {
        RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), database: database))
    }
}

/// A failure of the test's own machinery (not a finding about the framework).
struct NoLossTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
