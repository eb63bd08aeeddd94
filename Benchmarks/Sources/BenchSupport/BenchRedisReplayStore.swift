import Bayeux
import Redis
import SalesforceStreaming

/// A minimal Redis ``ReplayStore`` to compare the project's `RedisReplayStore` with (and to stand in
/// for it in builds without it): one `SET key value EX ttl` per commit over the project's
/// `RedisConnection` (hiredis, blocking calls on the connection's own serial executor), reconnecting
/// once on error. bench-service uses it with `--replay bench-redis=URI`; `--replay redis=URI` goes
/// through `PUSHTOPIC_REPLAY_ENABLED`, i.e. the project's own store.
public actor BenchRedisReplayStore: ReplayStore {
    private let connection: RedisConnection
    private let keyPrefix: String
    private let ttl: Int

    public init(uri: String, keyPrefix: String = "bench-replay:", ttl: Int = 43_200) throws {
        self.connection = RedisConnection(configuration: try RedisConfiguration(uri: uri))
        self.keyPrefix = keyPrefix
        self.ttl = ttl
    }

    public func replayID(for channel: String) async throws -> ReplayID? {
        let reply = try await run(["GET", keyPrefix + channel])
        return reply.stringValue.flatMap(ReplayID.init(storageText:))
    }

    public func setReplayID(_ replayID: ReplayID, for channel: String) async throws {
        _ = try await run(["SET", keyPrefix + channel, replayID.storageText, "EX", String(ttl)])
    }

    private func run(_ arguments: [String]) async throws -> RESPValue {
        if await !connection.isConnected { try await connection.connect() }
        do {
            return try await connection.command(arguments)
        } catch {
            await connection.close()
            try await connection.connect()
            return try await connection.command(arguments)
        }
    }
}
