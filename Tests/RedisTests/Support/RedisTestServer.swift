import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import Redis

/// Starts real redis-server instances through `scripts/start-redis` / `scripts/stop-redis`.
enum RedisTestServer {
    /// The package root, found from this file's path (Tests/RedisTests/Support/...).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The shared instance's port: `$REDIS_PORT` or 6390 (the scripts' default).
    static let sharedPort: Int = Int(ProcessInfo.processInfo.environment["REDIS_PORT"] ?? "") ?? 6390

    /// The shared instance's unix socket (created by `scripts/start-redis`).
    static var sharedSocketPath: String { "/tmp/swift-redis-\(sharedPort).sock" }

    private static let starter = SharedStarter()

    /// Starts the shared instance once per test process (the script itself is idempotent too).
    static func shared() async throws -> RedisConfiguration {
        try await starter.start()
        return RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: sharedPort))
    }

    /// Starts a private instance on `port`, optionally with `requirepass`.
    @discardableResult
    static func start(port: Int, password: String? = nil) async throws -> String {
        try await runScript("start-redis", [String(port)], password: password)
    }

    /// Stops a private instance.
    static func stop(port: Int) async throws {
        _ = try await runScript("stop-redis", [String(port)], password: nil)
    }

    /// Runs one of the package's scripts and returns its trimmed standard output.
    static func runScript(_ name: String, _ arguments: [String], password: String?) async throws -> String {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent("scripts/\(name)")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_PASSWORD"] = password
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let stdout = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw ScriptError(message: "\(name) \(arguments) exited \(process.terminationStatus): \(stderr)")
        }
        return stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct ScriptError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// Runs `scripts/start-redis` for the shared instance at most once per process.
    private actor SharedStarter {
        private var task: Task<Void, any Error>?

        func start() async throws {
            if task == nil {
                task = Task { _ = try await RedisTestServer.runScript("start-redis", [String(RedisTestServer.sharedPort)], password: nil) }
            }
            try await task!.value
        }
    }
}

/// A unique key prefix, so tests running in parallel never share keys.
func uniquePrefix(_ test: String = #function) -> String {
    "redis-tests:\(test.prefix(while: { $0 != "(" })):\(UUID().uuidString):"
}

// MARK: - Sockets for failure tests

enum TestSockets {
    /// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it).
    static func freePort() throws -> Int {
        let socket = try listeningSocket(backlog: 1)
        close(socket.descriptor)
        return socket.port
    }

    /// Starts a non-blocking connect to 127.0.0.1:`port` and returns the socket.
    static func startConnect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RedisTestServer.ScriptError(message: "socket() failed") }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return descriptor
    }

    /// A socket bound to 127.0.0.1 on an ephemeral port, listening but never accepting:
    /// connects succeed (the kernel completes them) but nothing is ever answered.
    static func listeningSocket(backlog: Int32 = 16) throws -> (descriptor: Int32, port: Int) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw RedisTestServer.ScriptError(message: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, backlog) == 0 else {
            close(descriptor)
            throw RedisTestServer.ScriptError(message: "bind/listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
    }
}
