/// The server's `advice` field: how and when to reconnect.
public struct BayeuxAdvice: Sendable, Hashable {
    /// What the server advises after this reply.
    public enum Reconnect: Sendable, Hashable {
        /// Send the next `/meta/connect` after ``BayeuxAdvice/interval``.
        case retry
        /// Handshake again (then resubscribe).
        case handshake
        /// The server's `none`: do not reconnect as is (the client decides: re-authenticate or back off).
        case noReconnect
        /// A value this client does not know.
        case other(String)

        init(_ text: String) {
            switch text {
            case "retry": self = .retry
            case "handshake": self = .handshake
            case "none": self = .noReconnect
            default: self = .other(text)
            }
        }

        var text: String {
            switch self {
            case .retry: "retry"
            case .handshake: "handshake"
            case .noReconnect: "none"
            case .other(let s): s
            }
        }
    }

    public var reconnect: Reconnect?
    /// Milliseconds to wait before the next connect.
    public var interval: Int64?
    /// Milliseconds the server holds a long poll.
    public var timeout: Int64?

    public init(reconnect: Reconnect? = nil, interval: Int64? = nil, timeout: Int64? = nil) {
        self.reconnect = reconnect
        self.interval = interval
        self.timeout = timeout
    }

    init?(json: JSONValue?) {
        guard let json, case .object = json else { return nil }
        reconnect = json["reconnect"]?.stringValue.map(Reconnect.init)
        interval = json["interval"]?.intValue
        timeout = json["timeout"]?.intValue
    }

    var jsonValue: JSONValue {
        var o: JSONObject = [:]
        if let reconnect { o["reconnect"] = .string(reconnect.text) }
        if let interval { o["interval"] = .int(interval) }
        if let timeout { o["timeout"] = .int(timeout) }
        return .object(o)
    }

    /// This advice with the fields `newer` sets replaced.
    func merged(with newer: BayeuxAdvice) -> BayeuxAdvice {
        BayeuxAdvice(reconnect: newer.reconnect ?? reconnect,
                     interval: newer.interval ?? interval,
                     timeout: newer.timeout ?? timeout)
    }
}
