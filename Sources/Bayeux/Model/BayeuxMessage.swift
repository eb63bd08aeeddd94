#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One Bayeux message: a meta reply (`/meta/...`) or an event delivered on a channel.
public struct BayeuxMessage: Sendable, Hashable {
    public var channel: String
    public var id: String?
    public var clientId: String?
    public var successful: Bool?
    /// The `error` string, e.g. `403::Unknown client`.
    public var error: String?
    public var advice: BayeuxAdvice?
    /// The subscribed channel of a subscribe reply (the first one if the server sent an array).
    public var subscription: String?
    public var data: JSONValue?
    public var ext: JSONValue?
    public var version: String?
    public var supportedConnectionTypes: [String]?
    public var connectionType: String?

    public init(channel: String, id: String? = nil, clientId: String? = nil, successful: Bool? = nil,
                error: String? = nil, advice: BayeuxAdvice? = nil, subscription: String? = nil,
                data: JSONValue? = nil, ext: JSONValue? = nil, version: String? = nil,
                supportedConnectionTypes: [String]? = nil, connectionType: String? = nil)
    {
        self.channel = channel
        self.id = id
        self.clientId = clientId
        self.successful = successful
        self.error = error
        self.advice = advice
        self.subscription = subscription
        self.data = data
        self.ext = ext
        self.version = version
        self.supportedConnectionTypes = supportedConnectionTypes
        self.connectionType = connectionType
    }

    /// Reads a message from its JSON object; unknown fields are ignored and fields of an
    /// unexpected type are treated as absent. `nil` if this is not an object with a `channel`.
    public init?(json: JSONValue) {
        guard case .object(let o) = json else { return nil }
        var channel: String?
        // One pass over the fields present (an event has two or three) instead of a hashed
        // lookup for each of the twelve a message may have: this runs for every event.
        for (key, value) in o {
            switch key {
            case "channel": channel = value.stringValue
            case "data": data = value
            case "clientId": clientId = value.stringValue
            case "id":
                switch value {
                case .string(let s): id = s
                case .int(let i): id = String(i)
                default: break
                }
            case "successful": successful = value.boolValue
            case "error": error = value.stringValue
            case "advice": advice = BayeuxAdvice(json: value)
            case "subscription":
                switch value {
                case .string(let s): subscription = s
                case .array(let a): subscription = a.first?.stringValue
                default: break
                }
            case "ext": ext = value
            case "version": version = value.stringValue
            case "supportedConnectionTypes": supportedConnectionTypes = value.arrayValue?.compactMap(\.stringValue)
            case "connectionType": connectionType = value.stringValue
            default: break
            }
        }
        guard let channel else { return nil }
        self.channel = channel
    }

    /// The message as a JSON object (only the fields that are set).
    public var jsonValue: JSONValue {
        var o: [String: JSONValue] = ["channel": .string(channel)]
        if let id { o["id"] = .string(id) }
        if let clientId { o["clientId"] = .string(clientId) }
        if let successful { o["successful"] = .bool(successful) }
        if let error { o["error"] = .string(error) }
        if let advice { o["advice"] = advice.jsonValue }
        if let subscription { o["subscription"] = .string(subscription) }
        if let data { o["data"] = data }
        if let ext { o["ext"] = ext }
        if let version { o["version"] = .string(version) }
        if let supportedConnectionTypes { o["supportedConnectionTypes"] = .array(supportedConnectionTypes.map(JSONValue.string)) }
        if let connectionType { o["connectionType"] = .string(connectionType) }
        return .object(o)
    }

    /// Whether this is a meta message (`/meta/...`), i.e. a protocol reply, not an event.
    public var isMeta: Bool { channel.hasPrefix("/meta/") }

    /// The replay ID of an event (`data.event.replayId`), if present.
    public var replayID: ReplayID? {
        guard let value = data?["event"]?["replayId"], value != .null else { return nil }
        return ReplayID(value)
    }

    /// Salesforce's detailed reason, `ext.sfdc.failureReason` (e.g. `401::Authentication invalid`).
    public var failureReason: String? { ext?["sfdc"]?["failureReason"]?.stringValue }

    /// The effective error code: from ``failureReason`` when present (it is more precise: a
    /// `403::Handshake denied` may carry `401::Authentication invalid`), else from ``error``.
    public var errorCode: Int? {
        if let reason = failureReason, let code = BayeuxErrorText(reason).code { return code }
        return error.flatMap { BayeuxErrorText($0).code }
    }

    /// `error` and `failureReason` together, for logs and errors.
    public var errorSummary: String {
        switch (error, failureReason) {
        case let (e?, f?): "\(e) (\(f))"
        case let (e?, nil): e
        case let (nil, f?): f
        case (nil, nil): successful == false ? "unsuccessful, no error given" : "no error"
        }
    }

    /// Decodes an HTTP reply body: a JSON array of messages or a single message object.
    /// Elements that are not messages are skipped (and counted in `skipped`); only a body that is
    /// not JSON, or is neither an array nor an object, throws.
    public static func decodeBatch(_ body: Data) throws -> (messages: [BayeuxMessage], skipped: Int) {
        let json = try JSONValue(parsing: body)
        switch json {
        case .array(let elements):
            var messages: [BayeuxMessage] = []
            messages.reserveCapacity(elements.count)
            var skipped = 0
            for element in elements {
                if let m = BayeuxMessage(json: element) { messages.append(m) } else { skipped += 1 }
            }
            return (messages, skipped)
        case .object:
            guard let m = BayeuxMessage(json: json) else { throw BayeuxError.protocolViolation("reply object has no channel") }
            return ([m], 0)
        default:
            throw BayeuxError.protocolViolation("reply is neither a JSON array nor an object")
        }
    }
}
