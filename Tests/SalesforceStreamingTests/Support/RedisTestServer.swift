import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts real redis-server instances through the package's `scripts/start-redis` and
/// `scripts/stop-redis` (each suite uses its own ports, so suites never stop each other's server).
enum RedisTestServer {
    /// The package root, found from this file's path (Tests/SalesforceStreamingTests/Support/...).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private static let starter = Starter()

    /// Starts the server on `port` once per test process (the script is idempotent too) and
    /// returns its URI.
    static func shared(port: Int) async throws -> String {
        try await starter.start(port: port)
        return "redis://127.0.0.1:\(port)/0"
    }

    /// Starts a server on `port` (idempotent).
    static func start(port: Int) async throws {
        _ = try await runScript("start-redis", [String(port)])
    }

    /// Stops the server on `port`; nothing when none runs.
    static func stop(port: Int) async throws {
        _ = try await runScript("stop-redis", [String(port)])
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (nothing listens on it).
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ScriptError(message: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ScriptError(message: "bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs one of the package's scripts and returns its trimmed standard output.
    static func runScript(_ name: String, _ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent("scripts/\(name)")
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["REDIS_PASSWORD"] = nil
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
