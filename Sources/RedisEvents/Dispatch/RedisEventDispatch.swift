import Bayeux
import Redis

/// The value ``EventDispatcher`` gives one worker: appends events to the service's stream.
struct RedisEventDispatch: EventDispatching {
    let redis: RedisConnection
    let stream: String
    let sourceService: String
    let callID: String
    let contextData: [String: String]
    let maxLength: Int?

    func callAsFunction(_ eventType: String, _ payload: JSONValue) async throws {
        try await redis.command(command(eventType, payload))
    }

    /// `XADD <stream> [MAXLEN ~ n] * type <t> payload <json> source_service <s> call_id <id> ctx.<k> <v>...`
    func command(_ eventType: String, _ payload: JSONValue) -> [String] {
        var arguments = ["XADD", stream]
        if let maxLength { arguments += ["MAXLEN", "~", String(maxLength)] }
        arguments += ["*",
                      EventField.type, eventType,
                      EventField.payload, String(decoding: payload.serialized(), as: UTF8.self),
                      EventField.sourceService, sourceService,
                      EventField.callID, callID]
        for key in contextData.keys.sorted() {
            arguments += [EventField.contextPrefix + key, contextData[key]!]
        }
        return arguments
    }
}
