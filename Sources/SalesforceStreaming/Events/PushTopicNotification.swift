#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A PushTopic notification: what happened (`event`) to which record (`sobject`).
///
/// ```swift
/// func handleContactUpdates(name: String, notification: PushTopicNotification) async throws {
///     guard notification.event.type == .updated else { return }
///     let contact = try notification.sobject(as: Contact.self)
/// }
/// ```
public struct PushTopicNotification: Sendable {
    /// What happened to the record.
    public enum EventType: Sendable, Hashable, CustomStringConvertible {
        case created, updated, deleted, undeleted
        /// A type this version does not know.
        case other(String)

        init(_ raw: String) {
            switch raw {
            case "created": self = .created
            case "updated": self = .updated
            case "deleted": self = .deleted
            case "undeleted": self = .undeleted
            default: self = .other(raw)
            }
        }

        /// The name Salesforce uses (`created`, ...), e.g. for event names like `salesforce_lead_created`.
        public var description: String {
            switch self {
            case .created: "created"
            case .updated: "updated"
            case .deleted: "deleted"
            case .undeleted: "undeleted"
            case .other(let raw): raw
            }
        }
    }

    /// The `event` part of a notification.
    public struct Event: Sendable {
        public let type: EventType
        /// When the change happened, as Salesforce sent it (`2016-03-29T16:40:08.208Z`).
        public let createdDate: String?
        /// The notification's position on its channel.
        public let replayID: ReplayID?

        /// ``createdDate`` parsed, when it is a valid ISO 8601 date.
        public var date: Date? {
            createdDate.flatMap(Self.parseDate)
        }

        /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` to millisecond precision (further
        /// digits are truncated), with the same result, to the bit, as Foundation's
        /// `ISO8601DateFormatter` (milliseconds since 1970 divided by 1000).
        static func parseDate(_ text: String) -> Date? {
            var utf8 = Array(text.utf8)
            var milliseconds: Int64 = 0
            // "2016-03-29T16:40:08" is 19 bytes: a fraction starts right after it.
            if utf8.count > 19, utf8[19] == UInt8(ascii: ".") {
                var end = 20
                while end < utf8.count, utf8[end] >= UInt8(ascii: "0"), utf8[end] <= UInt8(ascii: "9") { end += 1 }
                guard end > 20 else { return nil }
                for position in 20..<23 {
                    milliseconds = milliseconds * 10 + (position < end ? Int64(utf8[position] - UInt8(ascii: "0")) : 0)
                }
                utf8.removeSubrange(19..<end)
            }
            guard let whole = try? Date.ISO8601FormatStyle().parse(String(decoding: utf8, as: UTF8.self)) else {
                return nil
            }
            let seconds = Int64(whole.timeIntervalSince1970)  // whole seconds, exact
            return Date(timeIntervalSince1970: Double(seconds * 1000 + milliseconds) / 1000)
        }
    }

    /// The streaming event as received, with the raw JSON (`raw.data`).
    public let raw: StreamingEvent

    public init(_ event: StreamingEvent) {
        self.raw = event
    }

    /// The channel it arrived on (`/topic/<name>`).
    public var channel: String { raw.channel }

    public var event: Event {
        Event(type: EventType(raw.eventType ?? ""), createdDate: raw.createdDate, replayID: raw.replayID)
    }

    /// The record's fields the topic's query selects (an empty object if absent).
    public var sobject: JSONValue { raw.sobject ?? .object([:]) }

    /// The record decoded into a type of yours.
    public func sobject<T: Decodable>(as type: T.Type) throws -> T {
        try raw.decode(T.self, at: "sobject")
    }
}
