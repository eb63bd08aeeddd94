import Bayeux
import BenchSupport
import Benchmark
import Foundation
import HTTPTransport
import Logging
import Salesforce
import SalesforceSimulator
import SalesforceSimulatorServer
import SalesforceStreaming
import ServiceKit

// Benchmarks of the streaming path, from the wire format inward. Run from Benchmarks/:
//   swift package benchmark                              # all
//   swift package benchmark --filter "Decode.*"          # some
// Streaming benchmarks publish `scaledIterations.count` events per sample, so throughput is in
// events/s and the per-sample metrics (CPU, mallocs, wall clock) are per event. CPU is
// `cpuPerUnit` (the process's CPU clock, to the nanosecond), not package-benchmark's `.cpuTotal`,
// which moves in 10 ms steps on Linux.
// BENCH_REDIS_URI=redis://127.0.0.1:6390/11 adds the Redis replay store benchmarks.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 1000
    )

    // MARK: Bayeux reply decoding

    for count in [1, 100, 1000] {
        let body = Array(connectReply(events: count).utf8)  // as the session has it (HTTPResponse.bytes)
        // Each event's `data` is checked while the batch is read and decoded when first read:
        // the first benchmark is the connection's share, the second adds what handlers pay.
        Benchmark("Decode Bayeux reply batch (\(count) PushTopic events)") { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try BayeuxMessage.decodeBatch(body))
            }
        }
        Benchmark("Decode Bayeux reply batch and every event's data (\(count) PushTopic events)") { benchmark in
            for _ in benchmark.scaledIterations {
                for message in try BayeuxMessage.decodeBatch(body).messages { blackHole(message.data) }
            }
        }
    }

    // MARK: Container dispatch

    for maxWorkers in [1, 10] {
        let fixture = Fixture<ServiceContainer<NoopDispatchService>>()
        Benchmark("Container dispatch, no-op handler (max_workers \(maxWorkers))",
                  configuration: .init(metrics: Benchmark.defaultConfiguration.metrics + [cpuPerUnit],
                                       scalingFactor: .kilo)) { benchmark in
            let entrypoint = await fixture.value.dispatchEntrypoint()!
            let cpuBefore = ProcessCPUClock.now()
            try await entrypoint.dispatch(benchmark.scaledIterations.count)
            benchmark.stopMeasurement()
            benchmark.measurement(cpuPerUnit, cpuNanoseconds(since: cpuBefore, per: benchmark.scaledIterations.count))
        } setup: {
            let container = try ServiceContainer(NoopDispatchService.self,
                                                 configuration: ServiceConfiguration(.mapping(["max_workers": .int(maxWorkers)])),
                                                 logger: quietLogger)
            try await container.start()
            fixture.set(container)
        } teardown: {
            await fixture.take()?.stop()
        }
    }

    // MARK: End to end

    streamingBenchmark("End to end, in-process simulator, in-memory store (max_workers 10)",
                       service: NoopStreamingService.self, transport: .inProcess, store: { InMemoryReplayStore() })
    streamingBenchmark("End to end, loopback HTTP simulator + curl, in-memory store (max_workers 10)",
                       service: NoopStreamingService.self, transport: .loopbackHTTP, store: { InMemoryReplayStore() })
    // The same with a handler that reads its event's payload (decoded on that first read).
    streamingBenchmark("End to end, in-process simulator, in-memory store, handler reads the payload (max_workers 10)",
                       service: PayloadReadingStreamingService.self, transport: .inProcess, store: { InMemoryReplayStore() })
    streamingBenchmark("End to end, loopback HTTP simulator + curl, in-memory store, handler reads the payload (max_workers 10)",
                       service: PayloadReadingStreamingService.self, transport: .loopbackHTTP, store: { InMemoryReplayStore() })

    // MARK: Watermark commits

    // Handlers finish out of order; the custom metric counts store writes per sample (the
    // tracker coalesces: at most one write in flight per channel).
    streamingBenchmark("Watermark commits, out-of-order completion, in-process (max_workers 10)",
                       service: ShuffledCompletionService.self, transport: .inProcess, store: { CountingReplayStore() },
                       reportWrites: true)
    streamingBenchmark("Watermark commits, out-of-order completion, in-process (max_workers 1)",
                       service: ShuffledCompletionService.self, transport: .inProcess, store: { CountingReplayStore() },
                       maxWorkers: 1, reportWrites: true)

    // MARK: Redis replay store (needs a Redis server: scripts/start-redis)

    if let redisURI = ProcessInfo.processInfo.environment["BENCH_REDIS_URI"], !redisURI.isEmpty {
        // The project's `RedisReplayStore`, selected by configuration as a user would. (In a build
        // without it, starting fails with `unsupported(SALESFORCE.PUSHTOPIC_REPLAY_ENABLED)`: the
        // benchmark reports that error and the others still run.)
        streamingBenchmark("End to end, in-process simulator, Redis store via PUSHTOPIC_REPLAY_ENABLED (max_workers 10)",
                           service: NoopStreamingService.self, transport: .inProcess, store: nil,
                           redisURI: redisURI)
        streamingBenchmark("End to end, loopback HTTP simulator + curl, Redis store via PUSHTOPIC_REPLAY_ENABLED (max_workers 10)",
                           service: NoopStreamingService.self, transport: .loopbackHTTP, store: nil,
                           redisURI: redisURI)
        streamingBenchmark("End to end, loopback HTTP simulator + curl, Redis store, handler reads the payload (max_workers 10)",
                           service: PayloadReadingStreamingService.self, transport: .loopbackHTTP, store: nil,
                           redisURI: redisURI)
        // The minimal comparison store (one SET per commit through the project's Redis module).
        streamingBenchmark("End to end, in-process simulator, minimal SET-per-commit Redis store (max_workers 10)",
                           service: NoopStreamingService.self, transport: .inProcess,
                           store: { try! BenchRedisReplayStore(uri: redisURI, keyPrefix: "bench-replay-\(UUID().uuidString):") })
    }
}

// MARK: - Helpers

enum Transport { case inProcess, loopbackHTTP }

/// Replay store writes per sample of 1000 events (the tracker coalesces commits).
let storeWrites = BenchmarkMetric.custom("store writes per 1000 events", polarity: .prefersSmaller, useScalingFactor: false)

/// The process's CPU time per event (or per worker) of a sample, every thread counted (the
/// in-process simulator's too), to the nanosecond: `.cpuTotal` moves in 10 ms steps.
let cpuPerUnit = BenchmarkMetric.custom("CPU ns per event or worker, all threads", polarity: .prefersSmaller, useScalingFactor: false)

/// CPU nanoseconds used since `start` (a ``ProcessCPUClock`` reading), divided by `count`.
func cpuNanoseconds(since start: UInt64, per count: Int) -> Int {
    Int(ProcessCPUClock.now() - start) / max(count, 1)
}

/// Containers and the simulator log warnings only, so their info lines do not mix with the results.
let quietLogger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    return logger
}()

/// What a streaming benchmark's setup makes.
struct StreamingFixture: Sendable {
    let org: SimulatedOrg
    let server: RunningSimulator?
    let stop: @Sendable () async -> Void
    let handled: Countdown
    let writes: (@Sendable () async -> Int)?
}

/// Registers a benchmark that runs `service` in a container against a simulated org and, per
/// sample, publishes `scaledIterations.count` PushTopic events and waits until all are handled.
func streamingBenchmark<S: Service>(_ name: String, service: S.Type, transport: Transport,
                                    store: (@Sendable () -> any ReplayStore)?, redisURI: String? = nil,
                                    maxWorkers: Int = 10, reportWrites: Bool = false) {
    let fixture = Fixture<StreamingFixture>()
    let published = Countdown()
    let body: @Sendable (Benchmark) async throws -> Void = { benchmark in
        let f = fixture.value
        let count = benchmark.scaledIterations.count
        let writesBefore = await f.writes?() ?? 0
        published.add(count)
        let cpuBefore = ProcessCPUClock.now()
        _ = try await f.org.publish(count: count, of: .sobject(["Id": "a00D0000008o6y1IAA", "Name": "INV-0001"]),
                                    to: benchChannel)
        await f.handled.wait(until: published.count)
        benchmark.stopMeasurement()
        benchmark.measurement(cpuPerUnit, cpuNanoseconds(since: cpuBefore, per: count))
        if let writes = f.writes {
            benchmark.measurement(storeWrites, await writes() - writesBefore)
        }
    }
    var metrics = Benchmark.defaultConfiguration.metrics + [cpuPerUnit]
    if reportWrites { metrics.append(storeWrites) }
    Benchmark(name, configuration: .init(metrics: metrics, scalingFactor: .kilo), closure: body, setup: {
        fixture.set(try await makeStreamingFixture(service: S.self, transport: transport, store: store,
                                                   redisURI: redisURI, maxWorkers: maxWorkers,
                                                   reportWrites: reportWrites))
    }, teardown: {
        guard let f = fixture.take() else { return }
        await f.stop()
        await f.server?.shutdown()
    })
}

/// Starts a container running `service` against a fresh simulated org and waits for its subscription.
func makeStreamingFixture<S: Service>(service: S.Type, transport: Transport, store: (@Sendable () -> any ReplayStore)?,
                                      redisURI: String?, maxWorkers: Int, reportWrites: Bool) async throws -> StreamingFixture {
    let org = SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(20), channels: [benchChannel]))
    let handled = Countdown()
    var environment = ContainerEnvironment()
    environment[WorkerObserverKey.self] = { _, _ in handled.add() }
    let replayStore = store?()
    if let replayStore { environment[ReplayStoreKey.self] = replayStore }
    var server: RunningSimulator?
    var loginURL = "http://simulated-org.invalid"
    switch transport {
    case .inProcess:
        environment[HTTPClientFactoryKey.self] = { _ in SimulatorHTTPClient(org: org) }
    case .loopbackHTTP:
        let running = try await SimulatorServer.start(org: org, logger: quietLogger)
        server = running
        loginURL = running.url
    }
    var salesforce: [String: ConfigValue] = [
        "USERNAME": .string(SimulatedUser.demo.username),
        "PASSWORD": .string(SimulatedUser.demo.password),
        "SECURITY_TOKEN": .string(SimulatedUser.demo.securityToken),
        "LOGIN_URL": .string(loginURL),
    ]
    if let redisURI {
        salesforce["PUSHTOPIC_REPLAY_ENABLED"] = .bool(true)
        salesforce["PUSHTOPIC_REPLAY_REDIS_URI"] = .string(redisURI)
    }
    let configuration = ServiceConfiguration(.mapping(["max_workers": .int(maxWorkers), "SALESFORCE": .mapping(salesforce)]))
    let container = try ServiceContainer(S.self, configuration: configuration, environment: environment,
                                         logger: quietLogger)
    try await container.start()
    try await org.waitForSubscribers(on: benchChannel)
    var writes: (@Sendable () async -> Int)?
    if reportWrites, let counting = replayStore as? CountingReplayStore {
        writes = { @Sendable in await counting.writes }
    }
    return StreamingFixture(org: org, server: server, stop: { await container.stop() }, handled: handled, writes: writes)
}

/// A `/meta/connect` reply carrying `events` PushTopic events, shaped as the simulator (and
/// Salesforce) sends it.
func connectReply(events: Int) -> String {
    var parts = [#"{"channel":"/meta/connect","clientId":"4p31bj8rklb0ts1kuozaqf5vqu9","successful":true,"advice":{"interval":0,"timeout":110000,"reconnect":"retry"}}"#]
    for n in 0..<events {
        parts.append(#"{"data":{"event":{"createdDate":"2026-11-29T10:00:00.000Z","replayId":\#(1000 + n),"type":"updated"},"sobject":{"Id":"a00D0000008o6y\#(n % 10)IAA","Name":"INV-\#(n)","Status__c":"Negotiating","Amount__c":1250.5}},"channel":"/topic/InvoiceStatementUpdates"}"#)
    }
    return "[" + parts.joined(separator: ",") + "]"
}
