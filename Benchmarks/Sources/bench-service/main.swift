import BenchSupport
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTransport
import Logging
import SalesforceStreaming
import ServiceKit

// bench-service: the Swift client that Benchmarks/peers/run measures side by side with the
// Python peers. See Options.swift for the command line.

let options = Options.parsed
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

func say(_ line: String) {
    writeLine(line, to: STDOUT_FILENO)
}

/// Writes `line` and a line break straight to a file descriptor (unbuffered, like
/// `FileHandle.write`), so the reading script sees it at once.
func writeLine(_ line: String, to descriptor: Int32) {
    var bytes = Array((line + "\n").utf8)[...]
    while !bytes.isEmpty {
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        if written < 0, errno == EINTR { continue }
        guard written > 0 else { return }
        bytes = bytes.dropFirst(written)
    }
}

/// Turns SIGINT/SIGTERM into elements of a stream. Nonisolated on purpose: a closure written in
/// top-level code is main-actor isolated, and dispatch would run it off the main thread.
nonisolated func stopSignals() -> (AsyncStream<Int32>, [any DispatchSourceSignal]) {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let (stream, continuation) = AsyncStream<Int32>.makeStream()
    let queue = DispatchQueue(label: "bench-service.signals")
    let sources = [SIGINT, SIGTERM].map { signo in
        let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
        source.setEventHandler { continuation.yield(signo) }
        source.resume()
        return source
    }
    return (stream, sources)
}

let (stopRequests, signalSources) = options.exitAfterResult ? (AsyncStream<Int32> { $0.yield(0) }, []) : stopSignals()

let recorder = BenchStreamingService.recorder
let stop: @Sendable () async -> Void
do {
    if options.drain {
        let drainer = Task { try await Drainer(options: options, recorder: recorder).run() }
        stop = { drainer.cancel() }
    } else {
        var salesforce: [String: ConfigValue] = [
            "USERNAME": .string(options.username),
            "PASSWORD": .string(options.password),
            "SECURITY_TOKEN": .string(options.securityToken),
            "LOGIN_URL": .string(options.loginURL),
        ]
        var environment = ContainerEnvironment()
        switch options.replay {
        case .none: break
        case .redis(let uri):
            salesforce["PUSHTOPIC_REPLAY_ENABLED"] = .bool(true)
            salesforce["PUSHTOPIC_REPLAY_REDIS_URI"] = .string(uri)
        case .benchRedis(let uri):
            environment[ReplayStoreKey.self] = try BenchRedisReplayStore(uri: uri)
        }
        let configuration = ServiceConfiguration(.mapping([
            "max_workers": .int(options.maxWorkers), "SALESFORCE": .mapping(salesforce),
        ]))
        if options.channels == 100 {
            let container = try ServiceContainer(ManyChannelsService.self, configuration: configuration,
                                                 environment: environment)
            try await container.start()
            stop = { await container.stop() }
        } else {
            let container = try ServiceContainer(BenchStreamingService.self, configuration: configuration,
                                                 environment: environment)
            try await container.start()
            stop = { await container.stop() }
        }
    }
} catch {
    writeLine("bench-service: cannot start: \(error)", to: STDERR_FILENO)
    say(#"RESULT {"client":"swift","error":"\#(String(describing: error).replacing("\"", with: "'"))"}"#)
    exit(1)
}

// Report once every expected event arrived, or none came for the idle timeout.
let startedAt = wallNanoseconds()
let idle = Int64(options.idleTimeout * 1e9)
while true {
    let (unique, lastAt) = recorder.progress
    if unique >= options.expect { break }
    let now = wallNanoseconds()
    if now - (lastAt == 0 ? startedAt : lastAt) > (lastAt == 0 ? idle * 6 : idle) { break }
    try? await Task.sleep(for: .milliseconds(20))  // arrival times come from the handler, not from here
}
say("RESULT " + recorder.snapshot.json(client: options.drain ? "drain" : "swift", expected: options.expect))

for await _ in stopRequests { break }
await stop()
say("STOPPED")
withExtendedLifetime(signalSources) {}
exit(0)
