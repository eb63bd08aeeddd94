import Foundation
import Redis
import TestSupport

extension RedisTestServer {
    /// The shared instance's port: `$REDIS_PORT` or 6390 (the scripts' default).
    static let sharedPort: Int = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6390

    /// The shared instance's unix socket (created by `scripts/start-redis`).
    static var sharedSocketPath: String { socketPath(port: sharedPort) }

    /// Starts the shared instance once per test process and returns a configuration for it.
    static func shared() async throws -> RedisConfiguration {
        _ = try await shared(port: sharedPort)
        return RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: sharedPort))
    }
}

/// A unique key prefix, so tests running in parallel never share keys.
func uniquePrefix(_ test: String = #function) -> String {
    "redis-tests:\(test.prefix(while: { $0 != "(" })):\(UUID().uuidString):"
}
