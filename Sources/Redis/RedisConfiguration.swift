#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where and how to connect to Redis.
///
/// Build one from a URI:
/// - `redis://host` (port 6379, database 0), `redis://host:6380/2`
/// - `redis://:password@host/3`, `redis://user:password@host:6379/0` (Redis 6 ACL user)
/// - `unix:///path/to/redis.sock?db=2&password=secret` (also `username=`)
///
/// Percent-encode reserved characters in user names and passwords (`@` → `%40`).
/// `rediss://` (TLS) is rejected: hiredis 0.14 has no TLS support.
///
/// The password never appears in ``description``, in `dump` output or in error messages.
public struct RedisConfiguration: Sendable, Hashable {
    /// The server address.
    public enum Endpoint: Sendable, Hashable {
        /// A TCP host name or IP address and port.
        case tcp(host: String, port: Int)
        /// A unix domain socket path.
        case unixSocket(path: String)
    }

    /// The server address.
    public var endpoint: Endpoint
    /// The ACL user name for `AUTH user password`; `nil` sends `AUTH password`.
    public var username: String?
    /// The password; `nil` or empty sends no `AUTH`.
    public var password: String?
    /// The logical database selected with `SELECT` after connecting (0 is not sent).
    public var database: Int
    /// How long connecting may take. Must be positive.
    public var connectTimeout: Duration
    /// How long each socket read or write of a command may block. Must be positive.
    /// A blocking command (`BLPOP`, `XREADGROUP ... BLOCK`) needs a larger value than its own block time.
    public var commandTimeout: Duration

    /// The default for ``connectTimeout`` and ``commandTimeout``: 2 seconds.
    public static let defaultTimeout: Duration = .seconds(2)

    /// Creates a configuration from its parts.
    public init(
        endpoint: Endpoint,
        username: String? = nil,
        password: String? = nil,
        database: Int = 0,
        connectTimeout: Duration = RedisConfiguration.defaultTimeout,
        commandTimeout: Duration = RedisConfiguration.defaultTimeout
    ) {
        self.endpoint = endpoint
        self.username = username
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
    }

    /// Parses a `redis://` or `unix://` URI (see the type's documentation).
    ///
    /// - Throws: ``RedisError`` of kind ``RedisError/Kind/invalidConfiguration`` with a message that
    ///   says what is wrong and never repeats the password.
    public init(
        uri: String,
        connectTimeout: Duration = RedisConfiguration.defaultTimeout,
        commandTimeout: Duration = RedisConfiguration.defaultTimeout
    ) throws(RedisError) {
        self = try Self.parse(uri)
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        try validate()
    }

    /// Checks the values that a URI cannot carry wrongly but a memberwise value can.
    func validate() throws(RedisError) {
        switch endpoint {
        case .tcp(let host, let port):
            guard !host.isEmpty else { throw .invalidConfiguration("the host name is empty") }
            guard (1...65535).contains(port) else { throw .invalidConfiguration("port \(port) is not in 1...65535") }
        case .unixSocket(let path):
            guard !path.isEmpty else { throw .invalidConfiguration("the unix socket path is empty") }
        }
        guard database >= 0 else { throw .invalidConfiguration("database \(database) is negative") }
        guard connectTimeout > .zero else { throw .invalidConfiguration("connectTimeout must be positive") }
        guard commandTimeout > .zero else { throw .invalidConfiguration("commandTimeout must be positive") }
        if username != nil, (password ?? "").isEmpty {
            throw .invalidConfiguration("a user name was given without a password")
        }
    }
}

// MARK: - Parsing

extension RedisConfiguration {
    private static let usage = "expected redis://[[user]:password@]host[:port][/db] or unix:///path/to/socket[?db=N&password=...]"

    private static func parse(_ uri: String) throws(RedisError) -> RedisConfiguration {
        let lowered = uri.lowercased()
        if lowered.hasPrefix("rediss:") {
            throw .invalidConfiguration(
                "rediss:// (TLS) is not supported: hiredis 0.14 has no TLS. "
                    + "Run a local TLS tunnel (for example stunnel) and connect to it with redis://127.0.0.1:PORT")
        }
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased() else {
            // The raw value is not shown: it may contain a password.
            throw .invalidConfiguration("the Redis URI is not a valid URI (value not shown); \(usage)")
        }
        let configuration: RedisConfiguration
        switch scheme {
        case "redis": configuration = try parseTCP(components)
        case "unix", "redis+unix", "redis-socket": configuration = try parseUnix(components)
        default: throw .invalidConfiguration("unsupported URI scheme '\(scheme)'; \(usage)")
        }
        try configuration.validate()
        return configuration
    }

    private static func parseTCP(_ components: URLComponents) throws(RedisError) -> RedisConfiguration {
        guard var host = components.host, !host.isEmpty else {
            throw .invalidConfiguration("the Redis URI has no host; \(usage)")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? 6379
        guard (1...65535).contains(port) else { throw .invalidConfiguration("port \(port) is not in 1...65535") }
        if let items = components.queryItems, !items.isEmpty {
            let names = items.map(\.name).joined(separator: ", ")
            throw .invalidConfiguration("unsupported query parameter(s) in a redis:// URI: \(names); \(usage)")
        }
        if components.fragment != nil {
            throw .invalidConfiguration("a Redis URI must not have a #fragment; \(usage)")
        }
        var database = 0
        let path = components.path
        if !path.isEmpty, path != "/" {
            let digits = path.dropFirst()
            guard path.hasPrefix("/"), let number = Int(digits), number >= 0, digits.allSatisfy(\.isNumber) else {
                throw .invalidConfiguration("the path of a Redis URI must be a database number such as /0, got '\(path)'")
            }
            database = number
        }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 }
        let password = components.password.flatMap { $0.isEmpty ? nil : $0 }
        if user != nil, password == nil {
            throw .invalidConfiguration(
                "the Redis URI has a user name but no password; write redis://:password@host for a password alone")
        }
        return RedisConfiguration(
            endpoint: .tcp(host: host, port: port), username: user, password: password, database: database)
    }

    private static func parseUnix(_ components: URLComponents) throws(RedisError) -> RedisConfiguration {
        if let host = components.host, !host.isEmpty {
            throw .invalidConfiguration(
                "a unix socket URI needs an absolute path with an empty host (unix:///path/to/socket), got host '\(host)'")
        }
        if components.user != nil || components.password != nil {
            throw .invalidConfiguration("a unix socket URI takes its password as ?password=...; \(usage)")
        }
        let path = components.path
        guard path.hasPrefix("/") else {
            throw .invalidConfiguration("a unix socket URI needs an absolute path; \(usage)")
        }
        var database = 0
        var username: String?
        var password: String?
        for item in components.queryItems ?? [] {
            switch item.name {
            case "db":
                guard let value = item.value, let number = Int(value), number >= 0 else {
                    throw .invalidConfiguration("db must be a non-negative integer, got '\(item.value ?? "")'")
                }
                database = number
            case "password": password = item.value.flatMap { $0.isEmpty ? nil : $0 }
            case "username", "user": username = item.value.flatMap { $0.isEmpty ? nil : $0 }
            default:
                throw .invalidConfiguration(
                    "unsupported query parameter '\(item.name)' in a unix socket URI (known: db, password, username)")
            }
        }
        if username != nil, password == nil {
            throw .invalidConfiguration("the unix socket URI has a username but no password")
        }
        return RedisConfiguration(
            endpoint: .unixSocket(path: path), username: username, password: password, database: database)
    }
}

// MARK: - Redacted descriptions

extension RedisConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// A URI for logs, with the password replaced by `***`.
    public var description: String {
        let hasPassword = !(password ?? "").isEmpty
        switch endpoint {
        case .tcp(let host, let port):
            var userInfo = ""
            if hasPassword { userInfo = (username ?? "") + ":***@" }
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return "redis://\(userInfo)\(shownHost):\(port)/\(database)"
        case .unixSocket(let path):
            var query = ["db=\(database)"]
            if let username { query.append("username=\(username)") }
            if hasPassword { query.append("password=***") }
            return "unix://\(path)?" + query.joined(separator: "&")
        }
    }

    public var debugDescription: String {
        "RedisConfiguration(\(description), connectTimeout: \(connectTimeout), commandTimeout: \(commandTimeout))"
    }

    /// Mirrors the configuration with the password redacted, so `dump` does not print it.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "endpoint": endpoint as Any,
            "username": username as Any,
            "password": ((password ?? "").isEmpty ? "(none)" : "***") as Any,
            "database": database as Any,
            "connectTimeout": connectTimeout as Any,
            "commandTimeout": commandTimeout as Any,
        ])
    }
}
