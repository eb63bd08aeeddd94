import Foundation

/// Runs the project's scripts (and the shared Faye scripts) for tests, which start the servers
/// they need themselves and never assume one runs.
public enum ScriptRunner {
    /// The package root, found from this file's path (Tests/TestSupport/...).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `script` with bash and returns its trimmed standard output; throws with its standard
    /// error when it exits non-zero.
    @discardableResult
    public static func run(_ script: URL, _ arguments: [String], environment: [String: String?] = [:]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path] + arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
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
            throw ScriptError(message: "\(script.lastPathComponent) \(arguments) exited \(process.terminationStatus): \(stderr)")
        }
        return stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs one of the package's own scripts (`scripts/<name>`).
    @discardableResult
    public static func runProjectScript(_ name: String, _ arguments: [String], environment: [String: String?] = [:]) async throws -> String {
        try await run(packageRoot.appendingPathComponent("scripts/\(name)"), arguments, environment: environment)
    }

    public struct ScriptError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
