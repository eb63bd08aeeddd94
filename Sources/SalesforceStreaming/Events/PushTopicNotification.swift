import Foundation

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
            guard let createdDate else { return nil }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return formatter.date(from: createdDate) ?? ISO8601DateFormatter().date(from: createdDate)
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
