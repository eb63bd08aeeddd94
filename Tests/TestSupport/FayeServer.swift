import Foundation

/// A Faye server (the real third-party Bayeux server from `../shared/faye`) on its own port, with
/// short long polls so renewal is observable quickly.
public struct FayeServer: Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/cometd/59.0" }

    /// Seconds a long poll is held when nothing happens.
    public static let longPollSeconds = 3

    public init(port: Int) {
        self.port = port
    }

    /// The folder of `start-faye` / `stop-faye`: `$FAYE_SCRIPTS`, else `../shared/faye` beside the package.
    static var scripts: URL {
        if let path = ProcessInfo.processInfo.environment["FAYE_SCRIPTS"] { return URL(fileURLWithPath: path) }
        return ScriptRunner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/faye")
    }

    /// Starts it (idempotent; installs Faye with apt-get when missing).
    public func start() async throws {
        try await ScriptRunner.run(Self.scripts.appendingPathComponent("start-faye"), ["\(port)"],
                                   environment: ["FAYE_TIMEOUT": "\(Self.longPollSeconds)"])
    }

    public func stop() async throws {
        try await ScriptRunner.run(Self.scripts.appendingPathComponent("stop-faye"), ["\(port)"])
    }
}
