#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An HTTP method the project's clients use.
public enum HTTPMethod: String, Sendable, Hashable {
    case get = "GET", post = "POST", patch = "PATCH", put = "PUT", delete = "DELETE"
}

/// One HTTP request, as a value. Bodies are bytes; the caller encodes them.
public struct HTTPRequest: Sendable, Hashable {
    public var method: HTTPMethod
    /// Absolute URL, e.g. `https://example.my.salesforce.com/cometd/64.0`.
    public var url: String
    /// Header fields in order; names are case-insensitive.
    public var headers: [(name: String, value: String)]
    public var body: Data?
    /// The whole exchange (connect, send, wait, receive) must finish within this time,
    /// or the request fails with ``HTTPClientError/timedOut``.
    public var timeout: Duration

    public init(method: HTTPMethod, url: String, headers: [(name: String, value: String)] = [],
                body: Data? = nil, timeout: Duration = .seconds(30)) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.matches($0.name, name) }?.value
    }

    public static func == (lhs: HTTPRequest, rhs: HTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.url == rhs.url && lhs.body == rhs.body && lhs.timeout == rhs.timeout
            && lhs.headers.map { "\($0.name):\($0.value)" } == rhs.headers.map { "\($0.name):\($0.value)" }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(method)
        hasher.combine(url)
        hasher.combine(body)
    }
}

/// One HTTP response: any status (4xx and 5xx are responses, not errors).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    /// The body as received: a streaming reply's parser reads these bytes in place, and the
    /// events it checks keep them (a `Data`'s bytes cost dynamic exclusivity checks per read).
    public var bytes: [UInt8]
    /// The body as `Data` (a copy of ``bytes`` each time it is read).
    public var body: Data {
        get { Data(bytes) }
        set { bytes = [UInt8](newValue) }
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.init(status: status, headers: headers, bytes: [UInt8](body))
    }

    public init(status: Int, headers: [(name: String, value: String)] = [], bytes: [UInt8]) {
        self.status = status
        self.headers = headers
        self.bytes = bytes
    }

    /// The first value of a header field, matched case-insensitively.
    public func header(_ name: String) -> String? {
        headers.first { HeaderName.matches($0.name, name) }?.value
    }
}

/// Why a request produced no response.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request did not finish within its timeout.
    case timedOut
    /// The task that awaited the request was cancelled; the request was aborted.
    case cancelled
    /// No connection could be made (refused, DNS failure, unreachable).
    case connectionFailed(String)
    /// The connection broke while the request or response was in transit.
    case connectionLost(String)
    /// TLS failed (certificate not trusted, handshake error).
    case tls(String)
    /// The client was shut down.
    case shutdown
    /// Any other transport failure, with the underlying library's message.
    case other(String)

    public var description: String {
        switch self {
        case .timedOut: "HTTP request timed out"
        case .cancelled: "HTTP request cancelled"
        case .connectionFailed(let m): "connection failed: \(m)"
        case .connectionLost(let m): "connection lost: \(m)"
        case .tls(let m): "TLS error: \(m)"
        case .shutdown: "HTTP client shut down"
        case .other(let m): "HTTP transport error: \(m)"
        }
    }
}

/// The transport seam: production uses ``CurlHTTPClient``; tests use in-memory clients.
///
/// Implementations must honour `request.timeout` and abort the request promptly when the
/// calling task is cancelled (throwing ``HTTPClientError/cancelled``).
public protocol HTTPClient: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
    /// Releases connections and threads; later requests fail with ``HTTPClientError/shutdown``.
    /// Idempotent; may block briefly while a transport thread ends. Clients that hold nothing
    /// need not implement it.
    func shutdown()
}

extension HTTPClient {
    public func shutdown() {}
}
