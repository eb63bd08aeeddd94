#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One Bayeux message: a meta reply (`/meta/...`) or an event delivered on a channel.
///
/// The fields events carry are stored inline; those only protocol messages use (`error`,
/// `advice`, `ext`...) live in one shared box that events do not have, so the thousand events of
/// a reply stay small to move and copy.
public struct BayeuxMessage: Sendable, Hashable {
    public var channel: String
    public var id: String?
    public var clientId: String?
    public var successful: Bool?
    /// The event's payload (Salesforce: `event`, `sobject`, `payload`...). In a decoded reply it
    /// is kept as checked text and decoded each time it is read: keep the value rather than
    /// reading it again.
    public var data: JSONValue? {
        get { payload?.decoded }
        set { payload = newValue.map { .value(LazyJSONValue($0)) } }
    }
    /// ``data``: in a decoded reply, one of the reply's checked values.
    package private(set) var payload: JSONPayload?

    /// Moves out what an event is delivered with: its channel (leaving an empty one), client ID
    /// and payload, so that the reply's messages no longer hold what the taker passes on. Moved,
    /// not copied: the strings' storage is shared by the reply's events and reaches the workers'
    /// threads, so every copy and release of it is an atomic operation on a cache line those
    /// threads share.
    package mutating func takeEvent() -> (channel: String, clientId: String?, payload: JSONPayload?) {
        var channel = String()
        swap(&channel, &self.channel)
        return (channel, clientId.take(), payload.take())
    }
    private var details: DetailsBox?

    /// The `error` string, e.g. `403::Unknown client`.
    public var error: String? {
        get { details?.value.error }
        set { setDetail(\.error, newValue) }
    }
    public var advice: BayeuxAdvice? {
        get { details?.value.advice }
        set { setDetail(\.advice, newValue) }
    }
    /// The subscribed channel of a subscribe reply (the first one if the server sent an array).
    public var subscription: String? {
        get { details?.value.subscription }
        set { setDetail(\.subscription, newValue) }
    }
    public var ext: JSONValue? {
        get { details?.value.ext }
        set { setDetail(\.ext, newValue) }
    }
    public var version: String? {
        get { details?.value.version }
        set { setDetail(\.version, newValue) }
    }
    public var supportedConnectionTypes: [String]? {
        get { details?.value.supportedConnectionTypes }
        set { setDetail(\.supportedConnectionTypes, newValue) }
    }
    public var connectionType: String? {
        get { details?.value.connectionType }
        set { setDetail(\.connectionType, newValue) }
    }

    /// The fields of protocol messages. Immutable once boxed: a change makes a new box.
    private struct Details: Sendable, Hashable {
        var error: String?
        var advice: BayeuxAdvice?
        var subscription: String?
        var ext: JSONValue?
        var version: String?
        var supportedConnectionTypes: [String]?
        var connectionType: String?
    }

    private final class DetailsBox: Sendable, Hashable {
        let value: Details
        init(_ value: Details) { self.value = value }
        static func == (lhs: DetailsBox, rhs: DetailsBox) -> Bool { lhs === rhs || lhs.value == rhs.value }
        func hash(into hasher: inout Hasher) { hasher.combine(value) }
    }

    private mutating func setDetail<T>(_ field: WritableKeyPath<Details, T?>, _ value: T?) {
        var updated = details?.value ?? Details()
        updated[keyPath: field] = value
        details = updated == Details() ? nil : DetailsBox(updated)
    }

    public init(channel: String, id: String? = nil, clientId: String? = nil, successful: Bool? = nil,
                error: String? = nil, advice: BayeuxAdvice? = nil, subscription: String? = nil,
                data: JSONValue? = nil, ext: JSONValue? = nil, version: String? = nil,
                supportedConnectionTypes: [String]? = nil, connectionType: String? = nil)
    {
        self.channel = channel
        self.id = id
        self.clientId = clientId
        self.successful = successful
        self.payload = data.map { .value(LazyJSONValue($0)) }
        let details = Details(error: error, advice: advice, subscription: subscription, ext: ext, version: version,
                              supportedConnectionTypes: supportedConnectionTypes, connectionType: connectionType)
        self.details = details == Details() ? nil : DetailsBox(details)
    }

    /// A message with only a channel (for the readers, which fill in the rest: the public
    /// initializer compares its protocol fields with empty ones, on every event).
    private init(bare channel: String) {
        self.channel = channel
    }

    /// Reads a message from its JSON object; unknown fields are ignored and fields of an
    /// unexpected type are treated as absent. `nil` if this is not an object with a `channel`.
    public init?(json: JSONValue) {
        guard case .object(let o) = json else { return nil }
        var fields = BayeuxMessage(bare: String())
        var channel: String?
        for (key, value) in o { Self.read(key, value, into: &fields, channel: &channel) }
        guard let channel else { return nil }
        fields.channel = channel
        self = fields
    }

    /// Sets the field `key` of a message being read (a repeated field: the last wins); `channel`
    /// is kept apart, a message without a string one is not a message. A function on local
    /// variables rather than a reader struct: returning the struct's message copied it.
    private static func read(_ key: String, _ value: JSONValue, into fields: inout BayeuxMessage, channel: inout String?) {
        switch key {
        case "channel": channel = value.stringValue
        case "data": fields.data = value
        case "clientId": fields.clientId = value.stringValue
        case "id":
            switch value {
            case .string(let s): fields.id = s
            case .int(let i): fields.id = String(i)
            default: fields.id = nil
            }
        case "successful": fields.successful = value.boolValue
        case "error": fields.error = value.stringValue
        case "advice": fields.advice = BayeuxAdvice(json: value)
        case "subscription":
            switch value {
            case .string(let s): fields.subscription = s
            case .array(let a): fields.subscription = a.first?.stringValue
            default: fields.subscription = nil
            }
        case "ext": fields.ext = value
        case "version": fields.version = value.stringValue
        case "supportedConnectionTypes": fields.supportedConnectionTypes = value.arrayValue?.compactMap(\.stringValue)
        case "connectionType": fields.connectionType = value.stringValue
        default: break
        }
    }

    /// The message as a JSON object (only the fields that are set).
    public var jsonValue: JSONValue {
        var o: JSONObject = ["channel": .string(channel)]
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
    public var isMeta: Bool { Self.isMetaChannel(channel) }

    static func isMetaChannel(_ channel: String) -> Bool {
        // Through the UTF-8 view's storage: `withUTF8` needs a `var` copy (a retain and a
        // release), and this runs for every message of every reply.
        channel.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.count >= 6 && bytes[0] == UInt8(ascii: "/") && bytes[1] == UInt8(ascii: "m")
                && bytes[2] == UInt8(ascii: "e") && bytes[3] == UInt8(ascii: "t") && bytes[4] == UInt8(ascii: "a")
                && bytes[5] == UInt8(ascii: "/")
        } ?? channel.utf8.starts(with: "/meta/".utf8)
    }

    /// The replay ID of an event (`data.event.replayId`), if present.
    public var replayID: ReplayID? {
        guard let value = payload?.member(at: Self.replayIDPath), value != .null else { return nil }
        return ReplayID(value)
    }

    /// Where an event's replay ID is in its `data`.
    package static let replayIDPath = ["event", "replayId"]

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
    ///
    /// Reads the messages straight from the text (no intermediate ``JSONValue`` for the array
    /// and the message objects; only `data`, `ext` and the like become values), and a message
    /// whose channel repeats the previous one's shares its string: this runs for every event.
    /// Each message's `data` is checked and kept as text (a slice of `body`), decoded when read.
    public static func decodeBatch(_ body: Data) throws -> (messages: [BayeuxMessage], skipped: Int) {
        try decodeBatch([UInt8](body))
    }

    /// The same for a body's bytes (``HTTPResponse/bytes``), which the messages' checked `data`
    /// keep without a copy.
    public static func decodeBatch(_ body: [UInt8]) throws -> (messages: [BayeuxMessage], skipped: Int) {
        let result: Result<(messages: [BayeuxMessage], skipped: Int), any Error> = body.withUnsafeBytes { raw in
            var parser = JSONParser(bytes: raw)
            do {
                return .success(try decodeBatch(&parser, body: body))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Fewer bytes than a PushTopic event takes in a reply (channel, client ID, replay ID, created
    /// date, type and a record with an ID and a name: ~180): a body of N bytes holds fewer than
    /// N / 160 of them, so the estimate leaves room for all of a reply's events, with a record of
    /// more fields reserving more than it uses (transiently; the messages live as long as the reply).
    private static let typicalEventBytes = 160

    private static func decodeBatch(_ parser: inout JSONParser, body: [UInt8]) throws -> (messages: [BayeuxMessage], skipped: Int) {
        switch parser.peek() {
        case UInt8(ascii: "["):
            try parser.consume(UInt8(ascii: "["))
            // Room for the messages a body of this size likely holds: growing to a thousand
            // events one doubling at a time copied each reply's messages ten times.
            let expected = min(max(body.count / Self.typicalEventBytes, 1), 4096)
            var messages: [BayeuxMessage] = []
            messages.reserveCapacity(expected)
            var checked = CheckedData(capacity: expected)
            var skipped = 0
            var lastChannel: String?  // not `messages.last?.channel`: that copies the whole message
            if parser.peek() == UInt8(ascii: "]") {
                try parser.consume(UInt8(ascii: "]"))
            } else {
                elements: while true {
                    if parser.peek() == UInt8(ascii: "{") {
                        if let message = try readMessage(&parser, channelHint: lastChannel, index: messages.count, checked: &checked) {
                            lastChannel = message.channel
                            messages.append(message)
                        } else {
                            skipped += 1
                        }
                    } else {
                        _ = try parser.parseValue()
                        skipped += 1
                    }
                    switch parser.peek() {
                    case UInt8(ascii: ","): try parser.consume(UInt8(ascii: ","))
                    case UInt8(ascii: "]"): try parser.consume(UInt8(ascii: "]")); break elements
                    default: throw parser.fail("expected ',' or ']'")
                    }
                }
            }
            try parser.expectEnd()
            checked.attach(to: &messages, body: body)
            return (messages, skipped)
        case UInt8(ascii: "{"):
            var checked = CheckedData()
            let message = try readMessage(&parser, channelHint: nil, index: 0, checked: &checked)
            try parser.expectEnd()
            guard let message else { throw BayeuxError.protocolViolation("reply object has no channel") }
            var messages = [message]
            checked.attach(to: &messages, body: body)
            return (messages, 0)
        default:
            _ = try parser.parseValue()  // throws if the body is not JSON at all
            try parser.expectEnd()
            throw BayeuxError.protocolViolation("reply is neither a JSON array nor an object")
        }
    }

    /// The `data` of a reply's messages, checked while reading it: made into one
    /// ``CheckedDocument`` for the whole reply once it is read (no allocation per event).
    private struct CheckedData {
        var values: [CheckedDocument.Value] = []
        /// Which message has which value as its data (indexes into the messages and `values`).
        var owners: [(message: Int, value: Int)] = []

        init(capacity: Int = 0) {
            values.reserveCapacity(capacity)
            owners.reserveCapacity(capacity)
        }

        func attach(to messages: inout [BayeuxMessage], body: [UInt8]) {
            guard !values.isEmpty else { return }
            let document = CheckedDocument(body, knownPath: replayIDPath, values: values)
            for owner in owners { messages[owner.message].payload = .checked(document, index: owner.value) }
        }
    }

    /// A message member's name: the two every event has, or another.
    private enum MemberName {
        case channel, data, other(String)

        /// Reads the name at the parser's position: `channel` and `data` matched by their bytes
        /// (no string made), any other name, or one written with escapes, parsed.
        init(_ parser: inout JSONParser) throws {
            if parser.consumePlainString("channel") {
                self = .channel
            } else if parser.consumePlainString("data") {
                self = .data
            } else {
                switch try parser.parseString(reusing: nil) {
                case "channel": self = .channel
                case "data": self = .data
                case let name: self = .other(name)
                }
            }
        }

        var text: String {
            switch self {
            case .channel: "channel"
            case .data: "data"
            case .other(let name): name
            }
        }
    }

    /// Reads the object at the parser's position as the message at `index` of its reply, noting
    /// its checked `data` in `checked`; nil (object consumed) when it has no string `channel`.
    private static func readMessage(_ parser: inout JSONParser, channelHint: String?, index: Int,
                                    checked: inout CheckedData) throws -> BayeuxMessage? {
        try parser.consume(UInt8(ascii: "{"))
        // Made only for a message with members besides `channel` and `data` (a meta reply):
        // an event's message is made at the end, in place.
        var fields: BayeuxMessage?
        var channel: String?
        var data: Int?
        if parser.peek() == UInt8(ascii: "}") {
            try parser.consume(UInt8(ascii: "}"))
            return nil
        }
        members: while true {
            let name = try MemberName(&parser)
            try parser.consume(UInt8(ascii: ":"))
            if case .channel = name, parser.peek() == UInt8(ascii: "\"") {
                channel = try parser.parseString(reusing: channelHint)
            } else if case .data = name {
                // Checked here, decoded when read; the replay ID is found on the way.
                _ = parser.peek()
                let start = parser.offset
                var offsets = MemberOffsets()
                let replayID = try parser.member(at: replayIDPath[...], offsets: &offsets)
                checked.values.append(CheckedDocument.Value(range: start..<parser.offset, known: replayID, offsets: offsets))
                data = checked.values.count - 1
            } else {
                let value = try parser.parseValue()
                if fields == nil { fields = BayeuxMessage(bare: String()) }
                read(name.text, value, into: &fields!, channel: &channel)
            }
            switch parser.peek() {
            case UInt8(ascii: ","): try parser.consume(UInt8(ascii: ","))
            case UInt8(ascii: "}"): try parser.consume(UInt8(ascii: "}")); break members
            default: throw parser.fail("expected ',' or '}'")
            }
        }
        guard let channel else { return nil }
        if let data { checked.owners.append((index, data)) }
        guard var fields else { return BayeuxMessage(bare: channel) }
        fields.channel = channel
        return fields
    }
}
