#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// One connection to Redis, safe to share between tasks.
///
/// Commands from concurrent callers run one at a time, in the order the actor receives them.
/// The actor runs on its own serial `DispatchQueue`, so hiredis's blocking socket calls never
/// occupy the Swift cooperative thread pool.
///
/// - Connects lazily on first use, then sends `AUTH` and `SELECT` as configured.
/// - After a connection error or a timeout the connection is dropped and the error thrown;
///   the next call connects afresh (and re-sends `AUTH`/`SELECT`). A failed command is never
///   retried automatically, since it may have run on the server.
/// - Before reusing an idle connection it checks whether the server closed it (for example
///   after a restart) and reconnects first, so a restarted server costs no failed command.
/// - Error replies to `command(_:)` are thrown as ``RedisError/Kind/server``;
///   the connection stays usable.
/// - A command that has started is not interrupted by task cancellation; it is bounded by
///   ``RedisConfiguration/commandTimeout`` instead.
/// - Request/response commands only: `SUBSCRIBE`/`MONITOR` put the connection in a push mode
///   this client does not read; use a dedicated connection for them (not supported here).
///
/// ```swift
/// let redis = RedisConnection(configuration: try RedisConfiguration(uri: "redis://127.0.0.1:6379/0"))
/// try await redis.command(["SET", "greeting", "hello", "EX", "60"])
/// let value = try await redis.command(["GET", "greeting"]).stringValue  // "hello"
/// ```
public actor RedisConnection {
    /// The configuration this connection uses.
    public nonisolated let configuration: RedisConfiguration

    private let logger: Logger
    private nonisolated let executor: DispatchQueueExecutor
    private var context: HiredisContext?
    private var isClosed = false

    /// The executor: this connection's own serial dispatch queue.
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Creates a connection. Nothing is sent until the first command (or ``connect()``).
    public init(configuration: RedisConfiguration, logger: Logger = Logger(label: "Redis")) {
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "redis.server"] = "\(configuration)"
        self.logger = logger
        self.executor = DispatchQueueExecutor(label: "Redis.RedisConnection")
    }

    /// Whether a socket is currently open (it may still turn out to be closed by the server).
    public var isConnected: Bool { context != nil }

    /// Connects now instead of on first use, to surface a bad address or password early.
    /// Does nothing if already connected.
    public func connect() throws(RedisError) {
        try SIGPIPEGuard.run { () throws(RedisError) in
            _ = try usableContext()
        }
    }

    /// Sends a command whose arguments are UTF-8 text, and returns the reply.
    ///
    /// - Parameter arguments: the command name and its arguments, such as `["SET", "key", "value"]`.
    /// - Throws: ``RedisError``; an error reply from the server is thrown as ``RedisError/Kind/server``.
    @discardableResult
    public func command(_ arguments: [String]) throws(RedisError) -> RESPValue {
        try command(arguments.map { Data($0.utf8) })
    }

    /// Sends a command with binary-safe arguments, and returns the reply.
    ///
    /// - Throws: ``RedisError``; an error reply from the server is thrown as ``RedisError/Kind/server``.
    @discardableResult
    public func command(_ arguments: [Data]) throws(RedisError) -> RESPValue {
        guard !arguments.isEmpty else {
            throw RedisError(kind: .invalidCommand, message: "a command needs at least its name")
        }
        return try SIGPIPEGuard.run { () throws(RedisError) -> RESPValue in
            let context = try usableContext()
            let reply: RESPValue
            do throws(RedisError) {
                reply = try context.command(arguments)
            } catch {
                drop(after: error)
                throw error
            }
            if case .error(let message) = reply {
                throw RedisError.server(message)
            }
            return reply
        }
    }

    /// Sends several commands in one write and returns their replies in order.
    ///
    /// Error replies are returned in place as ``RESPValue/error(_:)`` (the other commands
    /// still ran); a connection error or timeout throws and drops the connection, and then
    /// it is unknown which of the commands ran.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RESPValue] {
        try pipeline(commands.map { $0.map { Data($0.utf8) } })
    }

    /// Sends several binary-safe commands in one write and returns their replies in order.
    /// See `pipeline(_:)`.
    public func pipeline(_ commands: [[Data]]) throws(RedisError) -> [RESPValue] {
        guard !commands.isEmpty else { return [] }
        guard commands.allSatisfy({ !$0.isEmpty }) else {
            throw RedisError(kind: .invalidCommand, message: "every pipelined command needs at least its name")
        }
        return try SIGPIPEGuard.run { () throws(RedisError) -> [RESPValue] in
            let context = try usableContext()
            do throws(RedisError) {
                for command in commands {
                    try context.append(command)
                }
                var replies: [RESPValue] = []
                replies.reserveCapacity(commands.count)
                for _ in commands {
                    replies.append(try context.nextReply())
                }
                return replies
            } catch {
                drop(after: error)
                throw error
            }
        }
    }

    /// Closes the socket. Later calls throw a ``RedisError/Kind/connection`` error.
    public func close() {
        isClosed = true
        if context != nil {
            context = nil  // HiredisContext.deinit frees the C context.
            logger.debug("Redis connection closed")
        }
    }

    // MARK: - Connection management

    private func usableContext() throws(RedisError) -> HiredisContext {
        guard !isClosed else {
            throw RedisError.connection("the connection was closed with close()")
        }
        if let context {
            if !context.isUnusableWhileIdle { return context }
            logger.debug("Redis closed the idle connection; reconnecting")
            self.context = nil
        }
        try configuration.validate()
        let context = try HiredisContext.connect(to: configuration.endpoint, timeout: configuration.connectTimeout)
        try context.setCommandTimeout(configuration.commandTimeout)
        if let password = configuration.password, !password.isEmpty {
            var auth = ["AUTH"]
            if let username = configuration.username { auth.append(username) }
            auth.append(password)
            if case .error(let message) = try context.command(auth.map { Data($0.utf8) }) {
                throw RedisError(kind: .authentication, message: message)
            }
        }
        if configuration.database != 0 {
            let select = ["SELECT", String(configuration.database)]
            if case .error(let message) = try context.command(select.map { Data($0.utf8) }) {
                throw RedisError.server("SELECT \(configuration.database) failed: \(message)")
            }
        }
        self.context = context
        logger.debug("Redis connected")
        return context
    }

    private func drop(after error: RedisError) {
        guard context != nil else { return }
        context = nil
        logger.debug("Redis connection dropped", metadata: ["error": "\(error)"])
    }
}
