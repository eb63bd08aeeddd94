/// An error from the Redis client: bad configuration, a connection or I/O failure,
/// a timeout, or an error reply sent by the server.
///
/// Match on ``kind``:
/// ```swift
/// do { try await connection.command(["INCR", "name"]) }
/// catch let error where error.kind == .server { print(error.message) }  // "ERR value is not an integer ..."
/// ```
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The category of a ``RedisError``.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The configuration (usually its URI) is invalid or unsupported.
        public static let invalidConfiguration = Kind("invalid configuration")
        /// The connection could not be established, or broke during a command.
        /// The next call on the same ``RedisConnection`` reconnects.
        public static let connection = Kind("connection error")
        /// Connecting or waiting for a reply took longer than the configured timeout.
        /// The connection is dropped; the next call reconnects.
        public static let timeout = Kind("timeout")
        /// The server answered with an error reply (`-ERR ...`, `-WRONGTYPE ...`, `-NOAUTH ...`).
        /// The connection stays usable.
        public static let server = Kind("server error")
        /// `AUTH` was rejected while setting up the connection.
        public static let authentication = Kind("authentication failed")
        /// The server sent something the client could not parse. The connection is dropped.
        public static let protocolError = Kind("protocol error")
        /// The command was rejected before it was sent (for example an empty argument list).
        public static let invalidCommand = Kind("invalid command")

        public var description: String { name }
    }

    /// What went wrong.
    public var kind: Kind
    /// A human-readable explanation; for ``Kind/server`` the server's error reply verbatim.
    /// Never contains a password.
    public var message: String

    /// Creates an error.
    public init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// An error reply from the server, such as `ERR unknown command`.
    public static func server(_ message: String) -> RedisError { RedisError(kind: .server, message: message) }
    /// A connection failure.
    public static func connection(_ message: String) -> RedisError { RedisError(kind: .connection, message: message) }
    /// A timeout.
    public static func timeout(_ message: String) -> RedisError { RedisError(kind: .timeout, message: message) }
    /// An invalid configuration.
    public static func invalidConfiguration(_ message: String) -> RedisError {
        RedisError(kind: .invalidConfiguration, message: message)
    }

    public var description: String { "Redis \(kind): \(message)" }
}
