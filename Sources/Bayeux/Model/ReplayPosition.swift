/// Where a subscription starts in the channel's retained event stream.
public enum ReplayPosition: Sendable, Hashable {
    /// Only events published after the subscription (Salesforce `-1`).
    case newEvents
    /// Every event still retained (Salesforce `-2`); use sparingly.
    case allRetained
    /// The events after this one.
    case after(ReplayID)

    /// The value sent in the subscribe message's `ext.replay` map.
    public var jsonValue: JSONValue {
        switch self {
        case .newEvents: .int(-1)
        case .allRetained: .int(-2)
        case .after(let id): id.value
        }
    }
}

extension ReplayPosition: CustomStringConvertible {
    public var description: String {
        switch self {
        case .newEvents: "-1 (new events)"
        case .allRetained: "-2 (all retained events)"
        case .after(let id): "after \(id)"
        }
    }
}
