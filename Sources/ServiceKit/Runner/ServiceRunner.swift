import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// Runs one or more services until SIGINT or SIGTERM (Nameko's `ServiceRunner` and `nameko run`).
///
/// ```swift
/// let config = try ServiceConfiguration.load(path: "config.yaml")
/// var runner = ServiceRunner(configuration: config)
/// try runner.add(InvoiceService.self)
/// try await runner.run()
/// ```
///
/// The first signal stops every container gracefully (running handlers finish, replay positions
/// are committed); a second signal kills them. If one container fails, the others are stopped and
/// `run()` throws its error.
public struct ServiceRunner: Sendable {
    private let configuration: ServiceConfiguration
    private let environment: ContainerEnvironment
    private let logger: Logger
    private var containers: [any RunnableContainer] = []

    public init(configuration: ServiceConfiguration, environment: ContainerEnvironment = ContainerEnvironment(),
                logger: Logger = Logger(label: "servicekit.runner")) {
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
    }

    /// Adds a service; its container is made now, so configuration errors surface here.
    public mutating func add<S: Service>(_ service: S.Type) throws {
        containers.append(try ServiceContainer(service, configuration: configuration, environment: environment, logger: logger))
    }

    /// Starts every service, then waits until a signal stops them or one of them fails.
    /// - Parameter signals: the signals that stop the runner.
    public func run(stoppingOn signals: [Int32] = [SIGINT, SIGTERM]) async throws {
        let signalStream = SignalStream(signals)
        defer { signalStream.cancel() }
        try await startAll()
        logger.info("services running; send SIGTERM or press Ctrl-C to stop")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for container in containers {
                group.addTask { try await container.wait() }
            }
            group.addTask { [containers, logger] in
                var received = 0
                for await signal in signalStream.signals {
                    received += 1
                    if received == 1 {
                        logger.info("received signal \(signal): stopping gracefully (send it again to kill)")
                        for container in containers { Task { await container.stop() } }
                    } else {
                        logger.warning("received signal \(signal) again: killing")
                        for container in containers { await container.kill(nil) }
                    }
                }
            }
            var failure: (any Error)?
            var ended = 0
            while ended < containers.count {
                do {
                    try await group.next()
                } catch {
                    if failure == nil {
                        failure = error
                        logger.error("a service failed: \(error); stopping the others")
                        for container in containers { Task { await container.stop() } }
                    }
                }
                ended += 1
            }
            signalStream.cancel()
            group.cancelAll()
            if let failure { throw failure }
        }
    }

    private func startAll() async throws {
        var started: [any RunnableContainer] = []
        for container in containers {
            do {
                try await container.start()
                started.append(container)
            } catch {
                for other in started { await other.stop() }
                throw error
            }
        }
    }
}

/// The lifecycle the runner needs from a container of any service type.
protocol RunnableContainer: Sendable {
    func start() async throws
    func stop() async
    func kill(_ error: (any Error)?) async
    func wait() async throws
}

extension ServiceContainer: RunnableContainer {}

/// Delivers process signals as an `AsyncStream`, replacing their default action while it lives.
///
/// `@unchecked Sendable`: every stored property is a `let` set in `init`; the only operation on the
/// dispatch sources after that is `cancel()`, which libdispatch documents as thread-safe, and
/// `AsyncStream.Continuation` is itself Sendable.
final class SignalStream: @unchecked Sendable {
    let signals: AsyncStream<Int32>
    private let continuation: AsyncStream<Int32>.Continuation
    private let sources: [any DispatchSourceSignal]

    init(_ numbers: [Int32]) {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        self.signals = signals
        self.continuation = continuation
        let queue = DispatchQueue(label: "servicekit.signals")
        sources = numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [continuation] in continuation.yield(number) }
            source.resume()
            return source
        }
    }

    func cancel() {
        continuation.finish()
        for source in sources { source.cancel() }
    }
}
