import Bayeux
import Redis
import ServiceKit
import TestSupport
import Testing
@testable import RedisEvents

@Suite("EventHandler")
struct EventHandlerTests {
    let handled = Recorder<Handled>()

    func withRecorder<T: Sendable>(_ body: () async throws -> T) async rethrows -> T {
        try await Current.$handled.withValue(handled) { try await body() }
    }

    /// Runs `body` with a started consumer service of type `consumerType` and a started producer on
    /// a fresh Redis database; stops both afterwards (also when `body` throws).
    func withServices<C: Service>(_ consumerType: C.Type,
                                  _ body: (_ producer: ServiceContainer<Producer>, _ redis: RedisConnection) async throws -> Void)
        async throws {
        try await withRecorder {
            let (uri, redis) = try await EventsTestRedis.database()
            let consumer = try ServiceContainer(consumerType, configuration: try .events(uri))
            let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
            try await consumer.start()
            try await producer.start()
            do {
                try await body(producer, redis)
            } catch {
                await producer.stop()
                await consumer.stop()
                throw error
            }
            await producer.stop()
            await consumer.stop()
        }
    }

    @Test("a handler of another service receives the event with payload and context data; other types are ignored")
    func receivesEvents() async throws {
        try await withServices(Consumer.self) { producer, redis in
            try await producer.fire("emit", 7).get()
            try await producer.fire("emitOther", 8).get()
            try await producer.fire("emit", 9).get()
            #expect(await handled.waitUntil { $0.count >= 2 })
            // Handlers run concurrently (max_workers): the order they finish in is not fixed.
            let entries = await handled.entries.sorted { ($0.value ?? 0) < ($1.value ?? 0) }
            #expect(entries.map(\.value) == [7, 9])
            let first = try #require(entries.first)
            #expect(first.message.type == "thing_happened")
            #expect(first.message.payload == ["value": 7, "text": "héllo \"world\""])
            #expect(first.message.sourceService == "producer")
            #expect(first.message.contextData == ["value": "7"])
            #expect(first.message.callID?.hasPrefix("producer.emit.") == true)
            #expect(first.message.attempt == 1)
            #expect(first.workerData["value"] == "7")
            #expect(first.workerData["event_id"] == first.message.id)
            #expect(first.workerData["event_type"] == "thing_happened")

            // Everything, including the ignored event, is acknowledged.
            #expect(try await eventually { try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0 })
        }
        #expect(await handled.entries.count == 2)
    }

    @Test("several handlers on one service, one of them stacked, each get every event of their types")
    func severalHandlers() async throws {
        try await withServices(MultiConsumer.self) { producer, _ in
            try await producer.fire("emit", 1).get()
            try await producer.fire("emitOther", 2).get()
            #expect(await handled.waitUntil { $0.count >= 3 })
            try await Task.sleep(for: .milliseconds(200))
            let seen = Set(await handled.entries.map { "\($0.handler) \($0.message.type)" })
            #expect(seen == ["onBoth thing_happened", "onBoth other_thing", "onThing thing_happened"])
            #expect(await handled.entries.count == 3)
        }
    }

    @Test("a handler that fails is given the event again and succeeds; it is acknowledged once")
    func retriesFailedEvent() async throws {
        try await withServices(Consumer.self) { producer, redis in
            try await producer.fire("emit", 1000).get()
            #expect(await handled.waitUntil { $0.count >= 2 })
            #expect(await handled.entries.map(\.message.attempt) == [1, 2])
            #expect(try await eventually { try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0 })
            #expect(try await redis.entries("producer.events.dead").isEmpty)
        }
    }

    @Test("an event whose handler keeps failing is retried MAX_ATTEMPTS times, then acked and dead-lettered with the error")
    func deadLettersAfterMaxAttempts() async throws {
        try await withServices(Consumer.self) { producer, redis in
            try await producer.fire("emit", -5).get()
            #expect(try await eventually { try await !redis.entries("producer.events.dead").isEmpty })
            #expect(await handled.entries.map(\.message.attempt) == [1, 2, 3])
            let dead = try await redis.entries("producer.events.dead")
            try #require(dead.count == 1)
            let original = try #require(try await redis.entries("producer.events").first)
            #expect(dead[0].field("event_id") == original.id)
            #expect(dead[0].field("type") == "thing_happened")
            #expect(dead[0].field("payload") == original.field("payload"))
            #expect(dead[0].field("error") == "boom on -5")
            #expect(dead[0].field("attempts") == "3")
            #expect(dead[0].field("consumer_group") == "consumer.onThing")
            #expect(try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0)
            // It is not delivered again.
            try await Task.sleep(for: .milliseconds(300))
            #expect(await handled.entries.count == 3)
        }
    }

    @Test("an entry that is not an event is dead-lettered, not dropped, and does not stop the handler")
    func malformedEntryDeadLettered() async throws {
        try await withServices(Consumer.self) { producer, redis in
            try await redis.command(["XADD", "producer.events", "*", "type", "thing_happened", "payload", "{not json"])
            try await producer.fire("emit", 4).get()
            #expect(await handled.waitUntil { $0.count >= 1 })
            #expect(await handled.entries.map(\.value) == [4])
            #expect(try await eventually { try await redis.entries("producer.events.dead").count == 1 })
            let dead = try await redis.entries("producer.events.dead")
            #expect(dead.first?.field("error")?.hasPrefix("not an event: the payload is not JSON") == true)
            #expect(dead.first?.field("payload") == "{not json")
        }
    }

    @Test("events dispatched while the handling service is down are handled once it starts again")
    func durableWhileDown() async throws {
        try await withRecorder {
            let (uri, _) = try await EventsTestRedis.database()
            let first = try ServiceContainer(Consumer.self, configuration: try .events(uri))
            try await first.start()  // creates the consumer group
            await first.stop()

            let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
            try await producer.start()
            for value in 1...3 { try await producer.fire("emit", value).get() }
            try await Task.sleep(for: .milliseconds(100))
            #expect(await handled.entries.isEmpty)

            let second = try ServiceContainer(Consumer.self, configuration: try .events(uri))
            try await second.start()
            #expect(await handled.waitUntil { $0.count >= 3 })
            #expect(await handled.entries.compactMap(\.value).sorted() == [1, 2, 3])
            await second.stop()
            await producer.stop()
        }
    }

    @Test("two instances of a service share the events: each is handled once, by one of them")
    func instancesShareWork() async throws {
        try await withRecorder {
            let (uri, redis) = try await EventsTestRedis.database()
            let config = try ServiceConfiguration.events(uri, extra: "max_workers: 1\n")
            let perInstance = [Recorder<String>(), Recorder<String>()]
            var consumers: [ServiceContainer<Consumer>] = []
            for recorder in perInstance {
                var environment = ContainerEnvironment()
                environment[WorkerObserverKey.self] = { worker, _ in await recorder.record(worker.data["event_id"] ?? "?") }
                consumers.append(try ServiceContainer(Consumer.self, configuration: config, environment: environment))
            }
            for consumer in consumers { try await consumer.start() }
            let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
            try await producer.start()

            for value in 2000..<2012 { try await producer.fire("emit", value).get() }
            #expect(await handled.waitUntil { $0.count >= 12 })
            try await Task.sleep(for: .milliseconds(300))
            let values = await handled.entries.compactMap(\.value)
            #expect(values.count == 12)
            #expect(Set(values) == Set(2000..<2012))
            let first = await perInstance[0].entries
            let second = await perInstance[1].entries
            #expect(!first.isEmpty && !second.isEmpty, "both instances took part: \(first.count) + \(second.count)")
            #expect(Set(first).isDisjoint(with: second))
            #expect(try await eventually { try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0 })
            await producer.stop()
            for consumer in consumers { await consumer.stop() }
        }
    }

    @Test("after Redis restarts (losing streams and groups) the handler recovers and receives new events")
    func recoversFromRedisRestart() async throws {
        try await withRecorder {
            try await RedisTestServer.withPrivateServer { port in
                let uri = "redis://127.0.0.1:\(port)"
                let consumer = try ServiceContainer(Consumer.self, configuration: try .events(uri))
                let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
                try await consumer.start()
                try await producer.start()
                try await producer.fire("emit", 1).get()
                #expect(await handled.waitUntil { $0.count >= 1 })

                try await RedisTestServer.stop(port: port)
                let whileDown = try await producer.fire("emit", 2)
                #expect(throws: RedisError.self) { try whileDown.get() }
                try await Task.sleep(for: .milliseconds(300))  // the handler's reads fail meanwhile
                try await RedisTestServer.start(port: port)

                // The group is gone with the restart; the handler re-creates it and reads on.
                #expect(await eventually {
                    (try? await producer.fire("emit", 3).get()) != nil
                })
                #expect(await handled.waitUntil { $0.contains { $0.value == 3 } })
                #expect(await consumer.state == .running)
                #expect(await !handled.entries.contains { $0.value == 2 })
                await producer.stop()
                await consumer.stop()
            }
        }
    }

    @Test("events left pending at a consumer that went away are taken over after ABANDONED_AFTER; used-up ones are dead-lettered")
    func takesOverAbandonedEvents() async throws {
        try await withRecorder {
            let (uri, redis) = try await EventsTestRedis.database()
            let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
            try await producer.start()
            try await redis.command(["XGROUP", "CREATE", "producer.events", "consumer.onThing", "$", "MKSTREAM"])
            try await producer.fire("emit", 1).get()
            try await producer.fire("emit", 2).get()
            // A consumer that read both and vanished; the second was delivered to it 3 times.
            try await redis.command(["XREADGROUP", "GROUP", "consumer.onThing", "ghost", "STREAMS", "producer.events", ">"])
            try await redis.command(["XREADGROUP", "GROUP", "consumer.onThing", "ghost", "STREAMS", "producer.events", "0"])
            let second = try await redis.entries("producer.events")[1].id
            try await redis.command(["XCLAIM", "producer.events", "consumer.onThing", "ghost", "0", second])

            let consumer = try ServiceContainer(Consumer.self, configuration: try .events(uri, maxAttempts: 3, abandonedAfter: 0.3))
            try await consumer.start()
            #expect(await handled.waitUntil { $0.count >= 1 })
            #expect(try await eventually { try await redis.entries("producer.events.dead").count == 1 })
            #expect(await handled.entries.map(\.value) == [1])
            #expect(await handled.entries.first?.message.attempt == 3)
            let dead = try await redis.entries("producer.events.dead")
            #expect(dead.first?.field("event_id") == second)
            #expect(dead.first?.field("attempts") == "3")
            #expect(try await eventually { try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0 })
            await consumer.stop()
            await producer.stop()
        }
    }

    @Test("a handler running longer than ABANDONED_AFTER keeps its event: another instance does not take it over")
    func longHandlerKeepsItsClaim() async throws {
        try await withRecorder {
            let (uri, redis) = try await EventsTestRedis.database()
            let config = try ServiceConfiguration.events(uri, abandonedAfter: 0.6)
            let first = try ServiceContainer(Consumer.self, configuration: config)
            let second = try ServiceContainer(Consumer.self, configuration: config)
            try await first.start()
            try await second.start()
            let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
            try await producer.start()
            try await producer.fire("emit", 3000).get()
            #expect(await handled.waitUntil { !$0.isEmpty })
            #expect(try await eventually { try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0 })
            try await Task.sleep(for: .milliseconds(300))
            #expect(await handled.entries.count == 1)
            await producer.stop()
            await first.stop()
            await second.stop()
        }
    }

    @Test("kill acknowledges nothing: the event of a killed worker is handled again by the next instance")
    func killLeavesEventPending() async throws {
        try await withRecorder {
            let (uri, redis) = try await EventsTestRedis.database()
            let config = try ServiceConfiguration.events(uri, abandonedAfter: 0.3)
            let first = try ServiceContainer(Consumer.self, configuration: config)
            try await first.start()
            let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
            try await producer.start()
            try await producer.fire("emit", 3001).get()
            #expect(await handled.waitUntil { !$0.isEmpty })
            await first.kill()
            #expect(try await redis.pendingCount("producer.events", group: "consumer.onThing") == 1)

            let second = try ServiceContainer(Consumer.self, configuration: config)
            try await second.start()
            #expect(await handled.waitUntil { $0.count >= 2 })
            #expect(await handled.entries.map(\.message.attempt) == [1, 2])
            #expect(try await eventually { try await redis.pendingCount("producer.events", group: "consumer.onThing") == 0 })
            await producer.stop()
            await second.stop()
        }
    }

    @Test("a handler started while Redis is down keeps the container running and starts handling once Redis is up")
    func redisDownAtStart() async throws {
        try await withRecorder {
            let port = try RedisTestServer.freePort()
            let uri = "redis://127.0.0.1:\(port)"
            let consumer = try ServiceContainer(Consumer.self, configuration: try .events(uri))
            try await consumer.start()
            try await Task.sleep(for: .milliseconds(300))
            #expect(await consumer.state == .running)

            try await RedisTestServer.start(port: port)
            do {
                let redis = RedisConnection(configuration: try RedisConfiguration(uri: uri))
                #expect(await eventually {
                    (try? await redis.command(["XINFO", "GROUPS", "producer.events"]))?.arrayValue?.count == 1
                })
                let producer = try ServiceContainer(Producer.self, configuration: try .events(uri))
                try await producer.start()
                try await producer.fire("emit", 5).get()
                #expect(await handled.waitUntil { $0.contains { $0.value == 5 } })
                await producer.stop()
                await consumer.stop()
            } catch {
                try? await RedisTestServer.stop(port: port)
                throw error
            }
            try await RedisTestServer.stop(port: port)
        }
    }

    @Test("stop ends the read loop promptly and removes the consumer from its group")
    func stopForgetsConsumer() async throws {
        try await withRecorder {
            let (uri, redis) = try await EventsTestRedis.database()
            let consumer = try ServiceContainer(Consumer.self, configuration: try .events(uri))
            try await consumer.start()
            let consumers = try await redis.command(["XINFO", "CONSUMERS", "producer.events", "consumer.onThing"])
            #expect(consumers.arrayValue?.count ?? 0 <= 1)
            await consumer.stop()
            let after = try await redis.command(["XINFO", "CONSUMERS", "producer.events", "consumer.onThing"])
            #expect(after.arrayValue?.isEmpty == true)
            #expect(await consumer.state == .stopped)
        }
    }
}
