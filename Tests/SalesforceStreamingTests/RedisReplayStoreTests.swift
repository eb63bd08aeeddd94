import Bayeux
import Foundation
import Logging
import Redis
@testable import SalesforceStreaming
import Testing

/// The suite's Redis (started by the tests through scripts/start-redis).
private let sharedPort = 16391
/// A server this suite stops and starts again.
private let restartPort = 16392

private func id(_ value: Int64) -> ReplayID { ReplayID(.int(value)) }

/// A channel name no other test uses, so tests of the default (unprefixed) keys never collide.
private func uniqueChannel(_ name: String = "Invoices") -> String { "/topic/\(name)-\(UUID().uuidString.prefix(8))" }

/// A key prefix no other test uses.
private func uniquePrefix() -> String { "tests-\(UUID().uuidString.prefix(8))" }

@Suite("RedisReplayStore (real Redis)")
struct RedisReplayStoreTests {
    /// A raw connection to the suite's Redis, to inspect what the store wrote.
    func redis(port: Int = sharedPort) async throws -> RedisConnection {
        let uri = try await RedisTestServer.shared(port: port)
        return RedisConnection(configuration: try RedisConfiguration(uri: uri))
    }

    func store(ttl: Duration = .seconds(600), prefix: String? = nil, port: Int = sharedPort,
               logger: Logger = Logger(label: "test")) async throws -> RedisReplayStore {
        let uri = try await RedisTestServer.shared(port: port)
        return try RedisReplayStore(uri: uri, ttl: ttl, keyPrefix: prefix, logger: logger)
    }

    @Test("writes nameko-salesforce's key and value: GET salesforce:replay_id:<channel> is \"123\", with the TTL set")
    func namekoCompatibleWrite() async throws {
        let channel = uniqueChannel()
        let store = try await store(ttl: .seconds(3600))
        try await store.setReplayID(id(123), for: channel)
        let redis = try await redis()
        #expect(try await redis.command(["GET", "salesforce:replay_id:\(channel)"]).stringValue == "123")
        let ttl = try #require(try await redis.command(["TTL", "salesforce:replay_id:\(channel)"]).integerValue)
        #expect(ttl > 3500 && ttl <= 3600)
    }

    @Test("reads a position the Python original wrote (decimal text) as the integer replay ID")
    func readsNamekoValue() async throws {
        let channel = uniqueChannel()
        let redis = try await redis()
        try await redis.command(["SET", "salesforce:replay_id:\(channel)", "4711"])
        #expect(try await store().replayID(for: channel) == id(4711))
        #expect(try await store().replayID(for: uniqueChannel()) == nil)
    }

    @Test("a key prefix namespaces the key as <prefix>:salesforce:replay_id:<channel> and keeps stores apart")
    func prefixedKeys() async throws {
        let channel = "/topic/Shared"
        let (prefixA, prefixB) = (uniquePrefix(), uniquePrefix())
        let a = try await store(prefix: prefixA)
        let b = try await store(prefix: prefixB)
        try await a.setReplayID(id(10), for: channel)
        try await b.setReplayID(id(20), for: channel)
        let redis = try await redis()
        #expect(try await redis.command(["GET", "\(prefixA):salesforce:replay_id:/topic/Shared"]).stringValue == "10")
        #expect(try await redis.command(["GET", "\(prefixB):salesforce:replay_id:/topic/Shared"]).stringValue == "20")
        #expect(try await a.replayID(for: channel) == id(10))
        #expect(try await b.replayID(for: channel) == id(20))
        #expect(a.key(for: channel) == "\(prefixA):salesforce:replay_id:/topic/Shared")
    }

    @Test("opaque replay IDs round-trip unchanged, and stored text that is not JSON is kept as an opaque ID")
    func opaqueValues() async throws {
        let prefix = uniquePrefix()
        let store = try await store(prefix: prefix)
        let opaque = ReplayID(.string("AAAbbb/+=42"))
        try await store.setReplayID(opaque, for: "/event/Order__e")
        #expect(try await store.replayID(for: "/event/Order__e") == opaque)
        let redis = try await redis()
        try await redis.command(["SET", store.key(for: "/event/Raw__e"), "abc-not-json"])
        #expect(try await store.replayID(for: "/event/Raw__e") == ReplayID(.string("abc-not-json")))
    }

    @Test("an empty stored value means no position and logs a warning; a malformed non-empty one is kept")
    func emptyAndMalformedValues() async throws {
        let capture = LogCapture()
        let store = try await store(prefix: uniquePrefix(), logger: capture.logger())
        let redis = try await redis()
        try await redis.command(["SET", store.key(for: "/topic/Empty"), ""])
        try await redis.command(["SET", store.key(for: "/topic/Null"), "null"])
        try await redis.command(["SET", store.key(for: "/topic/Garbled"), "12x{"])
        #expect(try await store.replayID(for: "/topic/Empty") == nil)
        #expect(try await store.replayID(for: "/topic/Null") == nil)
        #expect(capture.count(.warning, containing: "stored replay position is empty") == 2)
        #expect(try await store.replayID(for: "/topic/Garbled") == ReplayID(.string("12x{")))
    }

    @Test("refresh extends the expiry of stored positions to the full TTL and creates no key for channels without one")
    func refreshExtendsTTL() async throws {
        let store = try await store(ttl: .seconds(600), prefix: uniquePrefix())
        try await store.setReplayID(id(1), for: "/topic/A")
        try await store.setReplayID(id(2), for: "/topic/B")
        let redis = try await redis()
        for channel in ["/topic/A", "/topic/B"] { try await redis.command(["EXPIRE", store.key(for: channel), "5"]) }
        let missing = try await store.refresh(channels: ["/topic/A", "/topic/B", "/topic/Never"])
        #expect(missing == ["/topic/Never"])
        for channel in ["/topic/A", "/topic/B"] {
            let ttl = try #require(try await redis.command(["TTL", store.key(for: channel)]).integerValue)
            #expect(ttl > 500, "\(channel) not refreshed")
        }
        #expect(try await redis.command(["EXISTS", store.key(for: "/topic/Never")]).integerValue == 0)
        #expect(store.refreshInterval == .seconds(60))
        #expect(try RedisReplayStore(uri: "redis://127.0.0.1:1/0", ttl: .seconds(8)).refreshInterval == .seconds(2))
    }

    @Test("after Redis restarts, the next write succeeds on a fresh connection")
    func writeAfterRestart() async throws {
        try await RedisTestServer.start(port: restartPort)
        let store = try await store(prefix: uniquePrefix(), port: restartPort)
        try await store.setReplayID(id(1), for: "/topic/A")
        try await RedisTestServer.stop(port: restartPort)
        try await RedisTestServer.start(port: restartPort)
        try await store.setReplayID(id(2), for: "/topic/A")
        #expect(try await store.replayID(for: "/topic/A") == id(2))
        try await RedisTestServer.stop(port: restartPort)
    }

    @Test("with Redis down, writes and refreshes throw at once, and reads give up after the retry window naming the server without its password")
    func redisDown() async throws {
        let port = try RedisTestServer.freePort()
        let store = try RedisReplayStore(uri: "redis://:s3cret@127.0.0.1:\(port)/2", ttl: .seconds(60),
                                         readRetryWindow: .milliseconds(600))
        await #expect(throws: RedisError.self) { try await store.setReplayID(id(1), for: "/topic/A") }
        await #expect(throws: RedisError.self) { try await store.refresh(channels: ["/topic/A"]) }
        let error = await #expect(throws: RedisReplayStoreError.self) { try await store.replayID(for: "/topic/A") }
        guard case .unavailable(let server, let channel, _, let underlying)? = error else {
            Issue.record("expected .unavailable, got \(String(describing: error))")
            return
        }
        #expect(server == "redis://:***@127.0.0.1:\(port)/2")
        #expect(channel == "/topic/A")
        #expect(underlying.kind == .connection)
        #expect(!"\(error!)".contains("s3cret"))
    }

    @Test("a read retries while Redis is starting and returns the position once it answers")
    func readWaitsForRedis() async throws {
        let port = try RedisTestServer.freePort()
        let store = try RedisReplayStore(uri: "redis://127.0.0.1:\(port)/0", ttl: .seconds(60),
                                         readRetryWindow: .seconds(20))
        let read = Task { try await store.replayID(for: "/topic/Late") }
        try await Task.sleep(for: .milliseconds(300))
        try await RedisTestServer.start(port: port)
        let result = await read.result
        try await RedisTestServer.stop(port: port)
        #expect(try result.get() == nil)
    }

    @Test("a bad URI or TTL fails with a configuration error that never shows the password")
    func badConfiguration() throws {
        let error = #expect(throws: RedisReplayStoreError.self) {
            try RedisReplayStore(uri: "http://:hunter2@example.com", ttl: .seconds(60))
        }
        guard case .invalidConfiguration(let message)? = error else { Issue.record("wrong error \(String(describing: error))"); return }
        #expect(!message.contains("hunter2"))
        #expect(throws: RedisReplayStoreError.self) { try RedisReplayStore(uri: "redis://127.0.0.1", ttl: .milliseconds(0)) }
    }
}
