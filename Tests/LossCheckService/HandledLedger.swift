import Foundation
import Logging
import Redis
import ServiceKit

/// Which events fail or are slow, from the `LOSS_CHECK` configuration section.
struct LossCheckRules: Sendable {
    /// The first attempt of every `failEvery`-th event fails.
    var failEvery = 17
    /// The first two attempts of every `failTwiceEvery`-th event fail.
    var failTwiceEvery = 101
    /// Every `slowEvery`-th event sleeps 1 to 4 ms.
    var slowEvery = 5

    init(configuration: ServiceConfiguration) throws {
        func positive(_ key: String, default value: Int) throws -> Int {
            let found = try configuration.optionalInt("LOSS_CHECK.\(key)") ?? value
            guard found >= 1 else { throw ConfigurationError.invalidValue(key: "LOSS_CHECK.\(key)", reason: "must be at least 1") }
            return found
        }
        failEvery = try positive("FAIL_EVERY", default: failEvery)
        failTwiceEvery = try positive("FAIL_TWICE_EVERY", default: failTwiceEvery)
        slowEvery = try positive("SLOW_EVERY", default: slowEvery)
    }
}

/// Gives workers the ``LedgerClient`` of `LOSS_CHECK.LEDGER_REDIS_URI`.
final class HandledLedger: DependencyProvider {
    typealias Value = LedgerClient

    private let holder = Holder()

    init() {}

    func bind(to container: ContainerServices) async throws {
        let key = "LOSS_CHECK.LEDGER_REDIS_URI"
        let uri = try container.configuration.string(key)
        let configuration: RedisConfiguration
        do {
            configuration = try RedisConfiguration(uri: uri)
        } catch {
            throw ConfigurationError.invalidValue(key: key, reason: error.message)
        }
        let rules = try LossCheckRules(configuration: container.configuration)
        await holder.set(LedgerClient(redis: RedisConnection(configuration: configuration, logger: container.logger),
                                      rules: rules))
    }

    func value(for worker: WorkerContext) async throws -> LedgerClient {
        try await holder.get()
    }

    /// The client made at bind time.
    private actor Holder {
        private var client: LedgerClient?
        func set(_ client: LedgerClient) { self.client = client }
        func get() throws -> LedgerClient {
            guard let client else { throw ConfigurationError.missingKey("LOSS_CHECK.LEDGER_REDIS_URI") }
            return client
        }
    }
}

/// Counts handled events in Redis (`HINCRBY losscheck:handled <channel>:<n> 1`) and attempts in
/// memory (per process: a restarted process starts counting again, so a redelivered event fails
/// its first attempt again).
actor LedgerClient {
    /// The hash the test reads.
    static let handledKey = "losscheck:handled"

    nonisolated let rules: LossCheckRules
    private let redis: RedisConnection
    private var attempts: [String: Int] = [:]

    init(redis: RedisConnection, rules: LossCheckRules) {
        self.redis = redis
        self.rules = rules
    }

    /// The number of this attempt at handling event `number` of `channel`, from 1.
    func nextAttempt(channel: String, number: Int) -> Int {
        let key = "\(channel):\(number)"
        let attempt = (attempts[key] ?? 0) + 1
        attempts[key] = attempt
        return attempt
    }

    /// Records that event `number` of `channel` was handled.
    func recordHandled(channel: String, number: Int) async throws {
        try await redis.command(["HINCRBY", Self.handledKey, "\(channel):\(number)", "1"])
    }
}
