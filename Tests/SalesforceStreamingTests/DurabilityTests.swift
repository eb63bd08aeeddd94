import Bayeux
import Foundation
import Logging
import MetricsTestKit
import Redis
import Salesforce
import SalesforceSimulator
@testable import SalesforceStreaming
import ServiceKit
import ServiceKitTesting
import TestSupport
import Testing

/// The suite's Redis (started by the tests through scripts/start-redis).
private let sharedPort = 16393
/// A Redis the mid-run test stops and starts again.
private let outagePort = 16394

private let invoices = "/topic/InvoiceStatementUpdates"

private func invoice(_ name: String) -> SimulatedEventBody {
    .sobject(["Id": .string("a00D0000008o6y8IAA"), "Name": .string(name), "Status__c": "Open"], type: "updated")
}

/// Handlers of events named "slow…" take a while, so later events finish first.
private struct SlowFirstSubscriber: Service {
    static let name = "slow-first-subscriber"
    @Subscribe("/topic/InvoiceStatementUpdates") var onInvoice = Self.handleEvent

    func handleEvent(topic: String, event: StreamingEvent) async throws {
        let name = event.sobject?["Name"]?.stringValue
        if name?.hasPrefix("slow") == true { try await Task.sleep(for: .milliseconds(400)) }
        await Handled.current.record(.init(topic: topic, replayID: event.replayID?.description, name: name))
    }
}

/// Forwards to another store and records every write, in order.
private actor RecordingStore: ReplayStore {
    let base: any ReplayStore
    private(set) var writes: [ReplayID] = []

    init(_ base: any ReplayStore) { self.base = base }

    func replayID(for channel: String) async throws -> ReplayID? { try await base.replayID(for: channel) }

    func setReplayID(_ replayID: ReplayID, for channel: String) async throws {
        try await base.setReplayID(replayID, for: channel)
        writes.append(replayID)
    }

    nonisolated var refreshInterval: Duration? { base.refreshInterval }
    func refresh(channels: [String]) async throws -> [String] { try await base.refresh(channels: channels) }
}

@Suite("Durability: replay positions in Redis, end to end (in-process org)")
struct DurabilityTests {
    let handled = Handled()

    /// A `SALESFORCE` section for `org` with Redis replay enabled under a fresh key prefix.
    func configuration(org: SimulatedOrg, port: Int = sharedPort, prefix: String, ttl: Int = 60,
                       extra: [String: ConfigValue] = [:]) async -> ServiceConfiguration {
        let user = await org.currentConfiguration.users.first ?? .demo
        var section: [String: ConfigValue] = [
            "USERNAME": .string(user.username),
            "PASSWORD": .string(user.password),
            "SECURITY_TOKEN": .string(user.securityToken),
            "LOGIN_URL": .string("http://simulated-org.invalid"),
            "PUSHTOPIC_REPLAY_ENABLED": .bool(true),
            "PUSHTOPIC_REPLAY_REDIS_URI": .string("redis://127.0.0.1:\(port)/0"),
            "PUSHTOPIC_REPLAY_TTL": .int(ttl),
            "PUSHTOPIC_REPLAY_KEY_PREFIX": .string(prefix),
        ]
        section.merge(extra) { $1 }
        return ServiceConfiguration(.mapping(["SALESFORCE": .mapping(section)]))
    }

    func harness<S: Service>(_ type: S.Type, org: SimulatedOrg, configuration: ServiceConfiguration,
                             store: (any ReplayStore)? = nil,
                             logger: Logger = Logger(label: "test")) async throws -> StreamingTestHarness<S> {
        try await StreamingTestHarness(S.self, channels: [invoices], configuration: configuration, org: org,
                                       store: store, environment: .fastRecovery, logger: logger)
    }

    func newOrg() -> SimulatedOrg { SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(2))) }
    func prefix() -> String { "durability-\(UUID().uuidString.prefix(8))" }
    func key(_ prefix: String) -> String { "\(prefix):salesforce:replay_id:\(invoices)" }

    func redis(port: Int = sharedPort) async throws -> RedisConnection {
        let uri = try await RedisTestServer.shared(port: port)
        return RedisConnection(configuration: try RedisConfiguration(uri: uri))
    }

    /// Polls `key` until it holds `expected` or `timeout` passes; returns the last value seen.
    func awaitValue(_ expected: String, at key: String, in redis: RedisConnection,
                    timeout: Duration = .seconds(10)) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        var value: String?
        repeat {
            value = try? await redis.command(["GET", key]).stringValue
            if value == expected { return value }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < deadline
        return value
    }

    @Test("a service with PUSHTOPIC_REPLAY_ENABLED commits to Redis, and a new container replays exactly the events missed while it was down")
    func commitsAndResumes() async throws {
        try await Handled.$current.withValue(handled) {
            let redis = try await redis()
            let org = newOrg()
            let prefix = prefix()
            let config = await configuration(org: org, prefix: prefix)
            let first = try await harness(InvoiceSubscriber.self, org: org, configuration: config)
            try await first.start()
            let before = try await org.publish([invoice("INV-1"), invoice("INV-2")], to: invoices)
            try await first.waiter.wait(for: 2)
            await first.stop()
            #expect(try await redis.command(["GET", key(prefix)]).stringValue == String(before[1]))
            let ttl = try #require(try await redis.command(["TTL", key(prefix)]).integerValue)
            #expect(ttl > 0 && ttl <= 60)

            let missed = try await org.publish([invoice("down-1"), invoice("down-2")], to: invoices)
            let second = try await harness(InvoiceSubscriber.self, org: org, configuration: config)
            try await second.start()
            try await second.waiter.wait(for: 2)
            await second.stop()
            #expect(await second.waiter.finished.count == 2)
            #expect(await handled.names.sorted() == ["INV-1", "INV-2", "down-1", "down-2"])
            #expect(try await redis.command(["GET", key(prefix)]).stringValue == String(missed[1]))
        }
    }

    @Test("an expired or invalid stored ID falls back to -2: the retained events are handled, the fallback warning is logged once and counted in a metric")
    func invalidStoredIDFallsBackToAll() async throws {
        try await Handled.$current.withValue(handled) {
            let redis = try await redis()
            let org = newOrg()
            try await org.createChannel(invoices)
            let ids = try await org.publish([invoice("kept-1"), invoice("kept-2"), invoice("kept-3")], to: invoices)
            let prefix = prefix()
            try await redis.command(["SET", key(prefix), "999999999"])
            let capture = LogCapture()
            let metrics = TestMetrics()
            var environment = ContainerEnvironment.fastRecovery
            environment[BayeuxTuningKey.self] = { configuration in
                configuration.backoff = BackoffPolicy(initial: .milliseconds(5), maximum: .milliseconds(50))
                configuration.metricsFactory = metrics
            }
            let harness = try await StreamingTestHarness(InvoiceSubscriber.self, channels: [invoices],
                                                         configuration: await configuration(org: org, prefix: prefix),
                                                         org: org, store: nil, environment: environment, logger: capture.logger())
            try await harness.start()
            try await harness.waiter.wait(for: 3)
            await harness.stop()
            #expect(await handled.names.sorted() == ["kept-1", "kept-2", "kept-3"])
            #expect(capture.count(.warning, containing: "rejected the replay ID as invalid") == 1)
            #expect(try metrics.expectCounter("bayeux_replay_fallbacks_total", [("channel", invoices)]).totalValue == 1)
            #expect(try await redis.command(["GET", key(prefix)]).stringValue == String(ids[2]))
        }
    }

    @Test("with Redis persistence, an event whose handler fails every attempt is parked in a Redis list with its payload, and the position passes it")
    func deadLettersInRedis() async throws {
        try await Handled.$current.withValue(handled) {
            let redis = try await redis()
            let org = newOrg()
            try await org.createChannel(invoices)
            let prefix = prefix()
            let configuration = await configuration(org: org, prefix: prefix, extra: [
                "HANDLER_RETRY_ATTEMPTS": .int(2), "HANDLER_RETRY_DELAY": .double(0.01),
            ])
            let harness = try await harness(InvoiceSubscriber.self, org: org, configuration: configuration)
            try await harness.start()
            let ids = try await org.publish([invoice("INV-1"), invoice("fail-2"), invoice("INV-3")], to: invoices)
            try await harness.waiter.wait(for: 4)
            await harness.stop()
            let letters = try await redis.command(["LRANGE", "\(prefix):salesforce:dead_letter:\(invoices)", "0", "-1"]).arrayValue ?? []
            #expect(letters.count == 1)
            let letter = try JSONValue(parsing: letters.first?.stringValue ?? "")
            #expect(letter["replayId"] == .int(ids[1]))
            #expect(letter["data"]?["sobject"]?["Name"] == "fail-2")
            #expect(letter["attempts"] == 2)
            #expect(try await redis.command(["GET", key(prefix)]).stringValue == String(ids[2]))
        }
    }

    @Test("PUSHTOPIC_REPLAY_FALLBACK: fail stops the service on an invalid stored ID instead of replaying")
    func fallbackFail() async throws {
        let redis = try await redis()
        let org = newOrg()
        try await org.createChannel(invoices)
        _ = try await org.publish(invoice("kept-1"), to: invoices)
        let prefix = prefix()
        try await redis.command(["SET", key(prefix), "999999999"])
        let harness = try await harness(InvoiceSubscriber.self, org: org,
                                        configuration: await configuration(org: org, prefix: prefix,
                                                                           extra: ["PUSHTOPIC_REPLAY_FALLBACK": .string("fail")]))
        try await harness.container.start()
        await #expect(throws: BayeuxError.self) { try await harness.container.wait() }
    }

    @Test("with Redis stopped mid-run events keep being handled, and once Redis is back the watermark lands in it")
    func redisOutageMidRun() async throws {
        try await Handled.$current.withValue(handled) {
            try await RedisTestServer.start(port: outagePort)
            let redis = try await redis(port: outagePort)
            let org = newOrg()
            let prefix = prefix()
            // TTL 4 s: the store is refreshed and pending writes retried every second.
            let harness = try await harness(InvoiceSubscriber.self, org: org,
                                            configuration: await configuration(org: org, port: outagePort, prefix: prefix, ttl: 4))
            try await harness.start()
            let first = try await org.publish(invoice("INV-1"), to: invoices)
            try await harness.waiter.wait(for: 1)
            #expect(try await awaitValue(String(first), at: key(prefix), in: redis) == String(first))

            try await RedisTestServer.stop(port: outagePort)
            let during = try await org.publish([invoice("INV-2"), invoice("INV-3")], to: invoices)
            try await harness.waiter.wait(for: 3)
            #expect(await harness.container.state == .running)

            try await RedisTestServer.start(port: outagePort)
            #expect(try await awaitValue(String(during[1]), at: key(prefix), in: redis) == String(during[1]))
            // The refresh keeps the 4-second key alive on a quiet channel.
            try await Task.sleep(for: .seconds(5))
            #expect(try await redis.command(["GET", key(prefix)]).stringValue == String(during[1]))
            await harness.stop()
            #expect(await handled.names.sorted() == ["INV-1", "INV-2", "INV-3"])
            try await RedisTestServer.stop(port: outagePort)
        }
    }

    @Test("a position the store lost (Redis restarted without persistence) is written again from memory on a quiet channel")
    func lostPositionIsRewritten() async throws {
        try await Handled.$current.withValue(handled) {
            let redis = try await redis()
            let org = newOrg()
            let prefix = prefix()
            // TTL 4 s: the store is refreshed every second.
            let harness = try await harness(InvoiceSubscriber.self, org: org,
                                            configuration: await configuration(org: org, prefix: prefix, ttl: 4))
            try await harness.start()
            let id = try await org.publish(invoice("INV-1"), to: invoices)
            try await harness.waiter.wait(for: 1)
            #expect(try await awaitValue(String(id), at: key(prefix), in: redis) == String(id))
            try await redis.command(["DEL", key(prefix)])
            #expect(try await awaitValue(String(id), at: key(prefix), in: redis, timeout: .seconds(5)) == String(id))
            await harness.stop()
        }
    }

    @Test("with handlers finishing out of order, the position stored in Redis only moves forward in delivery order")
    func outOfOrderCompletionNeverMovesBackwards() async throws {
        try await Handled.$current.withValue(handled) {
            let uri = try await RedisTestServer.shared(port: sharedPort)
            let prefix = prefix()
            let store = RecordingStore(try RedisReplayStore(uri: uri, ttl: .seconds(60), keyPrefix: prefix))
            let org = newOrg()
            let harness = try await harness(SlowFirstSubscriber.self, org: org,
                                            configuration: await configuration(org: org, prefix: prefix), store: store)
            try await harness.start()
            let ids = try await org.publish([invoice("slow-1"), invoice("fast-2"), invoice("fast-3"),
                                             invoice("slow-4"), invoice("fast-5")], to: invoices)
            try await harness.waiter.wait(for: 5)
            await harness.stop()
            let order = await handled.names
            #expect(order.firstIndex(of: "fast-2")! < order.firstIndex(of: "slow-1")!, "the test needs out-of-order completion")
            let positions = await store.writes.map { write in ids.firstIndex { ReplayID(.int($0)) == write } ?? -1 }
            #expect(!positions.isEmpty && !positions.contains(-1))
            #expect(positions == positions.sorted() && Set(positions).count == positions.count, "writes went backwards: \(positions)")
            #expect(positions.last == ids.count - 1)
            let redis = try await redis()
            #expect(try await redis.command(["GET", key(prefix)]).stringValue == String(ids[4]))
        }
    }

    @Test("a Redis down at start fails the start after the retry window with an error naming the server, password redacted")
    func redisDownAtStart() async throws {
        let port = try RedisTestServer.freePort()
        let store = try RedisReplayStore(uri: "redis://:s3cret@127.0.0.1:\(port)/0", ttl: .seconds(60),
                                         readRetryWindow: .milliseconds(500))
        let org = newOrg()
        let harness = try await harness(InvoiceSubscriber.self, org: org,
                                        configuration: await configuration(org: org, prefix: prefix()), store: store)
        let error = await #expect(throws: RedisReplayStoreError.self) { try await harness.start() }
        let text = String(describing: error)
        #expect(text.contains("127.0.0.1:\(port)"))
        #expect(!text.contains("s3cret"))
    }

    @Test("configuration: a bad Redis URI fails start naming PUSHTOPIC_REPLAY_REDIS_URI; the fallback and prefix keys are read")
    func configurationKeys() async throws {
        let org = newOrg()
        let bad = await configuration(org: org, prefix: "p", extra: ["PUSHTOPIC_REPLAY_REDIS_URI": .string("http://:pw@host")])
        let harness = try await harness(InvoiceSubscriber.self, org: org, configuration: bad)
        let error = await #expect(throws: ConfigurationError.self) { try await harness.start() }
        guard case .invalidValue(let key, let reason)? = error else { Issue.record("wrong error"); return }
        #expect(key == "SALESFORCE.PUSHTOPIC_REPLAY_REDIS_URI")
        #expect(!reason.contains("pw"))

        let settings = try SalesforceSettings(configuration: await configuration(org: org, prefix: "billing",
                                                                                 extra: ["PUSHTOPIC_REPLAY_FALLBACK": .string("NEW")]))
        #expect(settings.replayKeyPrefix == "billing")
        #expect(settings.replayFallback == .new)
        #expect(StreamingClient.fallbackPosition(.new) == .newEvents)
        #expect(StreamingClient.fallbackPosition(.all) == .allRetained)
        #expect(StreamingClient.fallbackPosition(.fail) == nil)
        let defaults = try SalesforceSettings(configuration: await configuration(org: org, prefix: ""))
        #expect(defaults.replayFallback == .all && defaults.replayKeyPrefix == nil)
        #expect(throws: ConfigurationError.self) {
            try SalesforceSettings(configuration: ServiceConfiguration(.mapping(["SALESFORCE": .mapping([
                "USERNAME": .string("u"), "PASSWORD": .string("p"), "PUSHTOPIC_REPLAY_FALLBACK": .string("sometimes")])])))
        }
    }
}
