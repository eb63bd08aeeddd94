import Foundation

/// Starts the local servers tests need through the project's scripts (idempotent), never assuming
/// they already run.
enum ScriptedServers {
    /// The package root, from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder of `start-faye` / `stop-faye`: `$FAYE_SCRIPTS`, else `../shared/faye` beside the package.
    static var fayeScripts: URL {
        if let path = ProcessInfo.processInfo.environment["FAYE_SCRIPTS"] { return URL(fileURLWithPath: path) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/faye")
    }

    /// Runs a script with bash and returns its standard output; throws with its standard error on failure.
    @discardableResult
    static func run(_ script: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path] + arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScriptFailed(script: script.lastPathComponent, status: process.terminationStatus,
                               stderr: String(decoding: err, as: UTF8.self))
        }
        return String(decoding: out, as: UTF8.self)
    }

    struct ScriptFailed: Error, CustomStringConvertible {
        let script: String
        let status: Int32
        let stderr: String
        var description: String { "\(script) exited \(status): \(stderr)" }
    }
}

/// A Faye server on its own port, with short long polls (3 s) so renewal is observable quickly.
struct FayeServer {
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/cometd/59.0" }

    static let longPollSeconds = 3

    func start() throws {
        try ScriptedServers.run(ScriptedServers.fayeScripts.appendingPathComponent("start-faye"), ["\(port)"],
                                environment: ["FAYE_TIMEOUT": "\(Self.longPollSeconds)"])
    }

    func stop() throws {
        try ScriptedServers.run(ScriptedServers.fayeScripts.appendingPathComponent("stop-faye"), ["\(port)"])
    }
}
