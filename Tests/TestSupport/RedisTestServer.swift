import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    /// Starts a server on `port` (idempotent).
    public static func start(port: Int) async throws {
        try await ScriptRunner.runProjectScript("start-redis", [String(port)], environment: ["REDIS_PASSWORD": nil])
    }

    /// Stops the server on `port`; nothing when none runs.
    public static func stop(port: Int) async throws {
        try await ScriptRunner.runProjectScript("stop-redis", [String(port)], environment: ["REDIS_PASSWORD": nil])
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it).
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScriptRunner.ScriptError(message: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ScriptRunner.ScriptError(message: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs `scripts/start-redis` at most once per port and process.
    private actor Starter {
        private var tasks: [Int: Task<Void, any Error>] = [:]

        func start(port: Int) async throws {
            let task = tasks[port] ?? Task { try await RedisTestServer.start(port: port) }
            tasks[port] = task
            try await task.value
        }
    }
}
