import Foundation
import HTTPTransport
import Logging

/// A local Salesforce org: logins (SOAP partner, OAuth username-password), the Streaming API
/// (CometD long polling with replay), records and PushTopics behind a REST API (record changes
/// notify matching PushTopics), and a control API, behind one HTTP entry point with no network
/// of its own.
///
/// Serve it over HTTP with `SalesforceSimulatorServer`, or call it in-process through
/// ``SimulatorHTTPClient``. Tests drive it with ``publish(_:to:)``, ``inject(fault:)`` and
/// ``stats()``, or over HTTP with the control API (see ``handle(_:)`` and `ControlAPI.md`).
public actor SimulatedOrg {
    var configuration: SimulatorConfiguration
    let logger: Logger
    let clock = ContinuousClock()

    var channels: [String: ChannelLog] = [:]
    var channelOrder: [String] = []
    var clients: [String: ClientSession] = [:]
    var sessions: [String: SimulatedSession] = [:]
    /// Every token ever issued, including expired ones (``issuedTokens()``).
    var tokensIssued: [String] = []
    var requestsServed = 0
    /// Records, PushTopics and query cursors (see `SimulatedOrg+Records.swift`).
    var store = RecordStore()
    var lastSweep: ContinuousClock.Instant

    // Pending faults.
    var dropNextLongPoll = false
    var httpErrors: (status: Int, count: Int) = (500, 0)
    var tooBusyCount = 0
    var serverDisconnectPending = false
    var malformedJSONPending = false
    var delayMilliseconds = 0
    /// Set by ``endLongPolls()``: connects are answered at once instead of being held.
    var holdsNoPolls = false

    // Envelope state.
    var commitNumber: Int64 = 0
    private var lastTimestampMillis: Int64 = -1
    private var lastTimestamp = ""
    private let dateFormatter: ISO8601DateFormatter = {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f
    }()

    /// Creates an org with the configured users, connected apps and channels.
    /// Invalid channel names in the configuration are ignored (and logged).
    public init(configuration: SimulatorConfiguration = SimulatorConfiguration(),
                logger: Logger = Logger(label: "SalesforceSimulator")) {
        self.configuration = configuration
        self.logger = logger
        self.lastSweep = ContinuousClock().now
        for name in configuration.channels {
            if let kind = SimulatedChannelKind(channel: name), channels[name] == nil {
                channels[name] = Self.makeLog(name, kind: kind)
                channelOrder.append(name)
            } else if SimulatedChannelKind(channel: name) == nil {
                logger.warning("ignoring invalid channel name", metadata: ["channel": "\(name)"])
            }
        }
        store.seed(recordTypes: configuration.recordTypes, userID: configuration.users.first?.userID ?? "005000000000001AAA")
    }

    /// The configuration in force.
    public var currentConfiguration: SimulatorConfiguration { configuration }

    /// Sets the instance URL put in login replies (the HTTP server calls this once it has a port).
    public func setBaseURL(_ url: String) {
        configuration.baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    // MARK: - HTTP entry point

    /// Answers one HTTP request. Paths served:
    /// - `POST /services/Soap/u/<ver>`: SOAP partner `login`.
    /// - `POST /services/oauth2/token`: OAuth 2.0 username-password flow.
    /// - `POST /cometd/<ver>` (and sub-paths): the Streaming API (Bayeux over long polling).
    /// - `/services/data/v<ver>/...`: the REST API (`query`, `sobjects`; see `ControlAPI.md`).
    /// - `/simulator/...`: the control API (no auth; see `ControlAPI.md`).
    ///
    /// A long poll is held inside this call; if the calling task is cancelled meanwhile, the
    /// poll ends without dequeuing any event and the reply is ``SimulatorReply/drop``.
    public func handle(_ request: HTTPRequest) async -> SimulatorReply {
        await handleUnlessCancelled(request) ?? .drop
    }

    /// Like ``handle(_:)`` but `nil` when the calling task was cancelled before a reply was built
    /// (nothing was dequeued then).
    func handleUnlessCancelled(_ request: HTTPRequest) async -> SimulatorReply? {
        let (path, query) = Self.splitURL(request.url)
        if path == "/simulator" || path.hasPrefix("/simulator/") {
            return .response(handleControl(request, path: path))
        }
        requestsServed += 1
        if delayMilliseconds > 0 {
            try? await Task.sleep(for: .milliseconds(delayMilliseconds))
            if Task.isCancelled { return nil }
        }
        if httpErrors.count > 0 {
            httpErrors.count -= 1
            return .response(Self.plain(httpErrors.status, "Simulated HTTP \(httpErrors.status) error"))
        }
        if path.hasPrefix("/services/Soap/u/") {
            return .response(soapLogin(request, path: path))
        }
        if path == "/services/oauth2/token" {
            return .response(oauthToken(request))
        }
        if path == "/cometd" || path.hasPrefix("/cometd/") {
            return await cometd(request, path: path)
        }
        if path.hasPrefix("/services/data/") {
            return .response(rest(request, path: path, query: query))
        }
        return .response(HTTPResponse(
            status: 404, headers: [("Content-Type", "application/json;charset=UTF-8")],
            body: Data(#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#.utf8)))
    }

    // MARK: - Channels

    @discardableResult
    func addChannel(_ name: String, kind: SimulatedChannelKind) -> ChannelLog {
        let log = Self.makeLog(name, kind: kind)
        channels[name] = log
        channelOrder.append(name)
        return log
    }

    static func makeLog(_ name: String, kind: SimulatedChannelKind) -> ChannelLog {
        ChannelLog(name: name, kind: kind, schemaID: randomID(length: 22, alphabet: base64URL))
    }

    /// Creates a channel (`/topic/X`, `/event/X__e`, `/data/XChangeEvent`, `/data/ChangeEvents`,
    /// `/u/X`). Creating an existing channel does nothing.
    public func createChannel(_ name: String) throws(SimulatorError) {
        guard let kind = SimulatedChannelKind(channel: name) else { throw .invalidChannelName(name) }
        if channels[name] == nil { addChannel(name, kind: kind) }
    }

    /// The names of the channels that exist, in creation order.
    public func channelNames() -> [String] { channelOrder }

    // MARK: - Housekeeping

    /// Forgets clients that sent no request for `clientTimeout` (at most once a second).
    func sweepIfDue(now: ContinuousClock.Instant) {
        guard now - lastSweep >= .seconds(1) else { return }
        lastSweep = now
        for (id, client) in clients where client.waiter == nil && now - client.lastSeen > configuration.clientTimeout {
            forget(id)
        }
    }

    /// Answers every held `/meta/connect` now and holds no new ones: what a server that is
    /// shutting down does, so that its graceful shutdown has no request left to wait for.
    public func endLongPolls() {
        holdsNoPolls = true
        for client in clients.values { client.wake() }
    }

    func forget(_ clientID: String) {
        guard let client = clients.removeValue(forKey: clientID) else { return }
        for name in client.order { channels[name]?.subscribers.remove(clientID) }
        client.wake()
    }

    /// `2016-03-29T16:40:08.208Z`, cached per millisecond.
    func timestamp() -> String {
        let now = Date()
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        if millis != lastTimestampMillis {
            lastTimestampMillis = millis
            lastTimestamp = dateFormatter.string(from: Date(timeIntervalSince1970: Double(millis) / 1000))
        }
        return lastTimestamp
    }

    // MARK: - Helpers

    static let alphanumeric = Array("abcdefghijklmnopqrstuvwxyz0123456789")
    static let base64URL = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    static func randomID(length: Int, alphabet: [Character] = alphanumeric) -> String {
        var rng = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] })
    }

    /// Path and query of an absolute (or path-only) URL.
    static func splitURL(_ url: String) -> (path: String, query: String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            rest = rest[scheme.upperBound...]
            rest = rest.firstIndex(of: "/").map { rest[$0...] } ?? "/"
        }
        if let q = rest.firstIndex(of: "?") { return (String(rest[..<q]), String(rest[rest.index(after: q)...])) }
        return (String(rest), "")
    }

    static func plain(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain;charset=UTF-8")], body: Data(text.utf8))
    }

    static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json;charset=UTF-8")] + headers,
                     body: value.serialized())
    }

    /// `application/x-www-form-urlencoded` fields.
    static func formFields(_ body: Data?) -> [String: String] {
        guard let body, let text = String(data: body, encoding: .utf8) else { return [:] }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// Cookies sent in the `Cookie` header.
    static func cookies(_ request: HTTPRequest) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in request.headers where name.caseInsensitiveCompare("Cookie") == .orderedSame {
            for part in value.split(separator: ";") {
                let kv = part.split(separator: "=", maxSplits: 1)
                guard kv.count == 2 else { continue }
                result[kv[0].trimmingCharacters(in: .whitespaces)] = kv[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return result
    }
}
