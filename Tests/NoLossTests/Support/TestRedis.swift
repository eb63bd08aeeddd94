import Foundation
import Redis
#if canImport(Glibc)
import Glibc
#endif

/// A private redis-server started with the package's `scripts/start-redis` (never assumed to run).
struct TestRedis: Sendable {
    let port: Int
    let packageRoot: URL

    /// Starts an instance on a port that was free a moment ago.
    static func start(packageRoot: URL) async throws -> TestRedis {
        let redis = TestRedis(port: try freePort(), packageRoot: packageRoot)
        try await redis.start()
        return redis
    }

    func start() async throws {
        try await runScript("start-redis")
    }

    func stop() async throws {
        try await runScript("stop-redis")
    }

    func uri(database: Int) -> String { "redis://127.0.0.1:\(port)/\(database)" }

    func connection(database: Int) -> RedisConnection {
        RedisConnection(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: port), database: database))
    }

    private func runScript(_ name: String) async throws {
        let process = Process()
        process.executableURL = packageRoot.appendingPathComponent("scripts/\(name)")
        process.arguments = [String(port)]
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do {
                try process.run()
            } catch {
                continuation.resume(throwing: error)
            }
        }
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw NoLossTestError("\(name) \(port) exited \(process.terminationStatus): \(stderr)")
        }
    }

    /// A TCP port on 127.0.0.1 that nothing listened on a moment ago.
    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw NoLossTestError("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw NoLossTestError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A failure of the test's own machinery (not a finding about the framework).
struct NoLossTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
