import Foundation

/// Starts real redis-server instances through the package's `scripts/start-redis` and
/// `scripts/stop-redis` (each suite uses its own ports, so suites never stop each other's server).
public enum RedisTestServer {
    private static let starter = Starter()

    /// Starts the server on `port` once per test process (the script is idempotent too) and
    /// returns its URI.
    public static func shared(port: Int) async throws -> String {
        try await starter.start(port: port)
        return "redis://127.0.0.1:\(port)/0"
    }

    /// Starts a server on `port` (idempotent), with `requirepass password` when one is given;
    /// returns the server's PID.
    @discardableResult
    public static func start(port: Int, password: String? = nil) async throws -> String {
        try await ScriptRunner.runProjectScript("start-redis", [String(port)], environment: ["REDIS_PASSWORD": password])
    }

    /// Stops the server on `port`; nothing when none runs.
    public static func stop(port: Int) async throws {
        try await ScriptRunner.runProjectScript("stop-redis", [String(port)], environment: ["REDIS_PASSWORD": nil])
    }

    /// Runs `body` with a private server on a free port (with `requirepass password` when one is
    /// given) and stops the server afterwards, also when `body` throws.
    public static func withPrivateServer(
        password: String? = nil, _ body: (Int) async throws -> Void
    ) async throws {
        let port = try freePort()
        try await start(port: port, password: password)
        do {
            try await body(port)
        } catch {
            try? await stop(port: port)
            throw error
        }
        try await stop(port: port)
    }

    /// The unix socket `scripts/start-redis` creates for the server on `port`.
    public static func socketPath(port: Int) -> String {
        "/tmp/swift-redis-\(port).sock"
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it).
    public static func freePort() throws -> Int {
        try TestSockets.freePort()
    }

    /// Runs `scripts/start-redis` at most once per port and process.
    private actor Starter {
        private var tasks: [Int: Task<Void, any Error>] = [:]

        func start(port: Int) async throws {
            let task = tasks[port] ?? Task { _ = try await RedisTestServer.start(port: port) }
            tasks[port] = task
            try await task.value
        }
    }
}
