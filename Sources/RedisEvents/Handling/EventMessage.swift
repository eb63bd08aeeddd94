import Bayeux

/// One event as an ``EventHandler`` receives it.
public struct EventMessage: Sendable, Equatable {
    /// The stream entry ID (`1718000000000-0`): unique per event, usable for idempotence.
    public let id: String
    /// The event type the dispatcher gave, e.g. `salesforce_lead_created`.
    public let type: String
    /// The payload the dispatcher gave.
    public let payload: JSONValue
    /// The service that dispatched the event.
    public let sourceService: String
    /// The context data of the dispatching worker (the stream's `ctx.<key>` fields).
    public let contextData: [String: String]
    /// The call ID of the dispatching worker, if the message carries one.
    public let callID: String?
    /// Which delivery of this event this is, from 1; more than 1 after a handler failed.
    public let attempt: Int

    public init(id: String, type: String, payload: JSONValue, sourceService: String,
                contextData: [String: String] = [:], callID: String? = nil, attempt: Int = 1) {
        self.id = id
        self.type = type
        self.payload = payload
        self.sourceService = sourceService
        self.contextData = contextData
        self.callID = callID
        self.attempt = attempt
    }
}

extension EventMessage {
    /// A problem that makes a stream entry unusable as an event; such entries are dead-lettered.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    /// Reads an event from a stream entry written by ``EventDispatcher``.
    init(entry: StreamEntry, source: String, attempt: Int) throws(Malformed) {
        guard let fields = entry.fields else { throw Malformed(description: "the entry was deleted") }
        guard let type = entry.field(EventField.type) else {
            throw Malformed(description: "the entry has no '\(EventField.type)' field")
        }
        guard let text = entry.field(EventField.payload) else {
            throw Malformed(description: "the entry has no '\(EventField.payload)' field")
        }
        let payload: JSONValue
        do {
            payload = try JSONValue(parsing: text)
        } catch {
            throw Malformed(description: "the payload is not JSON: \(error)")
        }
        var context: [String: String] = [:]
        for field in fields where field.name.hasPrefix(EventField.contextPrefix) {
            context[String(field.name.dropFirst(EventField.contextPrefix.count))] = field.value
        }
        self.init(id: entry.id, type: type, payload: payload,
                  sourceService: entry.field(EventField.sourceService) ?? source,
                  contextData: context, callID: entry.field(EventField.callID), attempt: attempt)
    }
}
