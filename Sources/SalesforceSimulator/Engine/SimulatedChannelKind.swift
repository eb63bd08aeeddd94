/// The kinds of Streaming API channel, each with its own event shape.
public enum SimulatedChannelKind: String, Sendable, Hashable, Codable {
    /// `/topic/X`: `data.event{createdDate,replayId,type}` + `data.sobject`.
    case pushTopic
    /// `/event/X__e`: `data.schema`, `data.payload`, `data.event{EventUuid,replayId}`.
    case platformEvent
    /// `/data/XChangeEvent`, `/data/ChangeEvents`: `data.payload.ChangeEventHeader` + fields.
    case changeDataCapture
    /// `/u/X`: `data.event{createdDate,replayId}` + a string `data.payload`.
    case generic

    /// The kind a channel name denotes, or `nil` if Salesforce has no such channel family.
    public init?(channel: String) {
        let parts = channel.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].isEmpty, !parts[2].isEmpty,
              parts[2].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
        switch parts[1] {
        case "topic": self = .pushTopic
        case "event": guard parts[2].hasSuffix("__e") else { return nil }; self = .platformEvent
        case "data":
            guard parts[2] == "ChangeEvents" || parts[2].hasSuffix("ChangeEvent") else { return nil }
            self = .changeDataCapture
        case "u": self = .generic
        default: return nil
        }
    }
}
