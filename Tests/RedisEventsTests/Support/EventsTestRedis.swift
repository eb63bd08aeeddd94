import Foundation
import Redis
import ServiceKit
#if canImport(Glibc)
import Glibc
#endif

/// Starts redis-server for these tests through `scripts/start-redis` (never assumes one runs).
///
/// Tests share one instance on port 16395 and each takes a database of its own (flushed first),
/// so stream and group names never collide between tests running in parallel. Tests that stop
/// or restart Redis start a private instance on a free port.
enum EventsTestRedis {
    static let sharedPort = 16395
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let allocator = DatabaseAllocator()

    /// A fresh, empty database on the shared instance: its URI and a connection to inspect it.
    static func database() async throws -> (uri: String, redis: RedisConnection) {
        try await allocator.startServer()
        let database = await allocator.next()
        let uri = "redis://127.0.0.1:\(sharedPort)/\(database)"
        let redis = RedisConnection(configuration: try RedisConfiguration(uri: uri))
        try await redis.command(["FLUSHDB"])
        return (uri, redis)
    }

    /// Runs `body` with a private Redis on a free port, stopped afterwards.
    static func withPrivateServer(_ body: (Int) async throws -> Void) async throws {
        let port = try freePort()
        try await start(port: port)
        do {
            try await body(port)
        } catch {
            try? await stop(port: port)
            throw error
        }
        try await stop(port: port)
    }

    static func start(port: Int) async throws { try await runScript("start-redis", port) }
    static func stop(port: Int) async throws { try await runScript("stop-redis", port) }

    private static func runScript(_ name: String, _ port: Int) async throws {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent("scripts/\(name)")
        process.arguments = [String(port)]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw ScriptError(description: "\(name) \(port) exited \(process.terminationStatus): \(stderr)")
        }
    }

    struct ScriptError: Error, CustomStringConvertible { let description: String }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScriptError(description: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ScriptError(description: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts the shared instance once per test process and hands out databases 1...15.
    private actor DatabaseAllocator {
        private var starting: Task<Void, any Error>?
        private var counter = 0

        func startServer() async throws {
            if starting == nil {
                starting = Task { try await EventsTestRedis.start(port: EventsTestRedis.sharedPort) }
            }
            try await starting!.value
        }

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
