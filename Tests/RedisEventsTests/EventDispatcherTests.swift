import Bayeux
import Redis
import ServiceKit
import Testing
@testable import RedisEvents

/// Replaces the dispatcher in tests: records what handlers dispatch.
actor RecordingDispatcher: EventDispatching {
    private(set) var dispatched: [(String, JSONValue)] = []
    func callAsFunction(_ eventType: String, _ payload: JSONValue) async throws {
        dispatched.append((eventType, payload))
    }
}

@Suite("EventDispatcher")
struct EventDispatcherTests {
    @Test("a dispatch from a handler lands in <service>.events with type, payload, source, call ID and context data")
    func dispatchWritesStreamEntry() async throws {
        let (uri, redis) = try await EventsTestRedis.database()
        let container = try ServiceContainer(Producer.self, configuration: try .events(uri))
        try await container.start()
        try await container.fire("emit", 7).get()
        await container.stop()

        let entries = try await redis.entries("producer.events")
        try #require(entries.count == 1)
        let entry = entries[0]
        #expect(entry.fields?.map(\.name) == ["type", "payload", "source_service", "call_id", "ctx.value"])
        #expect(entry.field("type") == "thing_happened")
        #expect(try JSONValue(parsing: entry.field("payload") ?? "") == ["value": 7, "text": "héllo \"world\""])
        #expect(entry.field("source_service") == "producer")
        #expect(entry.field("call_id")?.hasPrefix("producer.emit.") == true)
        #expect(entry.field("ctx.value") == "7")
    }

    @Test("MAXLEN in the configuration makes XADD trim approximately")
    func maxLengthTrims() async throws {
        let dispatch = RedisEventDispatch(redis: RedisConnection(configuration: try RedisConfiguration(uri: "redis://127.0.0.1")),
                                          stream: "svc.events", sourceService: "svc", callID: "svc.x.1",
                                          contextData: ["b": "2", "a": "1"], maxLength: 100)
        #expect(dispatch.command("t", ["k": true]) == [
            "XADD", "svc.events", "MAXLEN", "~", "100", "*", "type", "t", "payload", #"{"k":true}"#,
            "source_service", "svc", "call_id", "svc.x.1", "ctx.a", "1", "ctx.b", "2",
        ])
        let settings = try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: redis://127.0.0.1, MAXLEN: 100000}"))
        #expect(settings.maxLength == 100000)
        #expect(try EventsConfiguration(try .parse(yaml: "EVENTS: {REDIS_URI: redis://127.0.0.1}")).maxLength == nil)
    }

    @Test("a dispatch that cannot reach Redis fails the worker with the Redis error")
    func dispatchFailureFailsWorker() async throws {
        let port = try EventsTestRedis.freePort()
        let container = try ServiceContainer(Producer.self, configuration: try .events("redis://127.0.0.1:\(port)"))
        try await container.start()
        let result = try await container.fire("emit", 1)
        #expect(throws: RedisError.self) { try result.get() }
        #expect(await container.state == .running)
        await container.stop()
    }

    @Test("tests can replace the dispatcher with their own EventDispatching value")
    func replaceable() async throws {
        let recording = RecordingDispatcher()
        let container = try ServiceContainer(Producer.self, configuration: try .events("redis://127.0.0.1:1"))
        await container.replaceDependency(\.$dispatch, with: recording)
        try await container.start()
        try await container.fire("emitOther", 3).get()
        await container.stop()
        let dispatched = await recording.dispatched
        #expect(dispatched.map(\.0) == ["other_thing"])
        #expect(dispatched.first?.1 == ["value": 3])
    }
}
