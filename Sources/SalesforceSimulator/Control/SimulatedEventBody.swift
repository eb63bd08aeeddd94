/// The content of one event to publish; the simulator adds the envelope (replay ID, dates, UUIDs).
public enum SimulatedEventBody: Sendable, Hashable {
    /// A PushTopic event: the record's fields and what happened to it
    /// (`created`, `updated`, `deleted`, `undeleted`).
    case sobject(JSONObject, type: String = "created")
    /// A platform event or change event payload (a JSON object; `CreatedDate`, `CreatedById` and the
    /// `ChangeEventHeader` are filled in when missing), or a generic event's string payload.
    case payload(JSONValue)
}
