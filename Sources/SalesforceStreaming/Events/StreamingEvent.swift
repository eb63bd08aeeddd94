@_exported import Bayeux
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One event received on a streaming channel: the `data` of a Bayeux message, with the fields
/// Salesforce puts in it readable directly.
///
/// PushTopic events carry `event` (`type`, `createdDate`, `replayId`) and `sobject`; platform and
/// change data capture events carry `payload`; generic events carry a string `payload`.
public struct StreamingEvent: Sendable {
    /// The channel the event arrived on, e.g. `/topic/InvoiceStatementUpdates`.
    public let channel: String
    /// The whole `data` object as the server sent it (decoded when first read). Until then the
    /// event holds the text of the whole reply it came in: an event kept after its handler
    /// returns, never read, keeps that reply in memory.
    public var data: JSONValue { storage.value }
    private let storage: LazyJSONValue
    /// `data.event.replayId`: the event's position on its channel (opaque; absent on non-durable servers).
    public let replayID: ReplayID?

    public init(channel: String, data: JSONValue) {
        let storage = LazyJSONValue(data)
        self.init(channel: channel, data: storage, replayID: JSONPayload.value(storage).replayID)
    }

    /// An event whose `data` may still be undecoded text (a message of a decoded reply), with
    /// its replay ID (``JSONPayload/replayID``).
    init(channel: String, data: LazyJSONValue, replayID: ReplayID?) {
        self.channel = channel
        self.storage = data
        self.replayID = replayID
    }

    /// `data.event.createdDate`, as sent (ISO 8601, e.g. `2024-01-01T00:00:00.000Z`).
    public var createdDate: String? { storage.member(at: Self.createdDatePath)?.stringValue }

    /// `data.event.type` for PushTopic events: `created`, `updated`, `deleted` or `undeleted`.
    public var eventType: String? { storage.member(at: Self.typePath)?.stringValue }

    /// `data.sobject` for PushTopic events: the record's fields the topic's query selects.
    /// Reading it (or ``payload``, ``createdDate``, ``eventType``) before ``data`` decodes only
    /// that part of the event.
    public var sobject: JSONValue? { storage.member(at: Self.sobjectPath) }

    /// `data.payload` for platform events, change data capture and generic events.
    public var payload: JSONValue? { storage.member(at: Self.payloadPath) }

    /// The value at `path` (member names) in ``data``, the same as `data["sobject"]?["Name"]`
    /// for `value(at: "sobject", "Name")`, but read from the event's text without decoding the
    /// rest: a handler that needs one or two fields of a record does not build the whole record.
    /// Nil when a member is missing or a level is not an object.
    ///
    /// Each different path read is kept with the event; after four of them, the whole `data` is
    /// decoded once and later reads subscript it.
    public func value(at path: String...) -> JSONValue? {
        storage.member(at: path)
    }

    // Made once: an array literal in the getters would be allocated on every read.
    private static let createdDatePath = ["event", "createdDate"]
    private static let typePath = ["event", "type"]
    private static let sobjectPath = ["sobject"]
    private static let payloadPath = ["payload"]

    /// Decodes the value at `key` of `data` (or the whole `data` when `key` is nil) into a type of yours.
    ///
    /// ```swift
    /// struct Invoice: Decodable { let Id: String; let Status__c: String }
    /// let invoice = try event.decode(Invoice.self, at: "sobject")
    /// ```
    public func decode<T: Decodable>(_ type: T.Type, at key: String? = nil) throws -> T {
        let value: JSONValue
        if let key {
            guard let found = storage.member(at: [key]) else {
                throw DecodingError.keyNotFound(EventKey(key), .init(codingPath: [], debugDescription: "event data has no '\(key)'"))
            }
            value = found
        } else {
            value = data
        }
        return try JSONDecoder().decode(T.self, from: value.serialized())
    }
}

extension JSONPayload {
    /// `event.replayId` of an event's data.
    var replayID: ReplayID? { member(at: BayeuxMessage.replayIDPath).map(ReplayID.init) }
}

private struct EventKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}
