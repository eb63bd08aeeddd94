import Logging
import Salesforce
import SalesforceSimulator
import SalesforceStreaming
import ServiceKit

/// Runs a service's container against an in-process simulated Salesforce org, with the
/// in-memory replay store and no network: feed it events, wait for its handlers, inspect what
/// it committed.
///
/// ```swift
/// let harness = try await StreamingTestHarness(InvoiceService.self, channels: ["/topic/InvoiceStatementUpdates"])
/// try await harness.start()
/// try await harness.org.publish(.sobject(["Id": "a00...", "Name": "INV-1"], type: "created"),
///                               to: "/topic/InvoiceStatementUpdates")
/// let workers = try await harness.waiter.wait(for: 1)
/// await harness.stop()
/// ```
public struct StreamingTestHarness<S: Service>: Sendable {
    /// The simulated org the service talks to; publish events and inject faults through it.
    public let org: SimulatedOrg
    /// Where the service commits its replay positions, when the harness was given (or made) an
    /// in-memory store; a fresh, unused store when it was created with `store:`.
    public let replayStore: InMemoryReplayStore
    /// Where events whose handler failed every attempt are parked.
    public let deadLetters: InMemoryDeadLetterStore
    /// The store installed in the container: ``replayStore``, the one given as `store:`, or nil
    /// when the configuration selects it (`PUSHTOPIC_REPLAY_*`).
    public let installedStore: (any ReplayStore)?
    /// Sees every worker the container finishes.
    public let waiter: WorkerWaiter
    /// The container under test.
    public let container: ServiceContainer<S>
    /// The channels `start()` waits for the service to subscribe to.
    public let channels: [String]

    /// - Parameters:
    ///   - channels: channels the org serves from the start (e.g. existing PushTopics); `start()`
    ///     waits until the service subscribed to each.
    ///   - configuration: the service configuration; defaults to ``defaultConfiguration(user:)``.
    ///   - org: an org to share between harnesses (e.g. to restart a service against it).
    ///   - replayStore: a store to share between harnesses (a restart that resumes).
    ///   - environment: further seams; the harness sets the HTTP client, store and observer.
    public init(_ type: S.Type = S.self, channels: [String] = [], configuration: ServiceConfiguration? = nil,
                org: SimulatedOrg? = nil, replayStore: InMemoryReplayStore = InMemoryReplayStore(),
                environment: ContainerEnvironment = ContainerEnvironment(),
                logger: Logger = Logger(label: "servicekit.testing")) async throws {
        try await self.init(type, channels: channels, configuration: configuration, org: org, inMemory: replayStore,
                            installed: replayStore, environment: environment, logger: logger)
    }

    /// A harness whose service commits to `store` (e.g. a ``RedisReplayStore``), or, with `store: nil`,
    /// to the store its configuration selects (`PUSHTOPIC_REPLAY_ENABLED`, `PUSHTOPIC_REPLAY_REDIS_URI`).
    public init(_ type: S.Type = S.self, channels: [String] = [], configuration: ServiceConfiguration? = nil,
                org: SimulatedOrg? = nil, store: (any ReplayStore)?,
                environment: ContainerEnvironment = ContainerEnvironment(),
                logger: Logger = Logger(label: "servicekit.testing")) async throws {
        try await self.init(type, channels: channels, configuration: configuration, org: org,
                            inMemory: InMemoryReplayStore(), installed: store, environment: environment, logger: logger)
    }

    private init(_ type: S.Type, channels: [String], configuration: ServiceConfiguration?, org: SimulatedOrg?,
                 inMemory: InMemoryReplayStore, installed: (any ReplayStore)?,
                 environment: ContainerEnvironment, logger: Logger) async throws {
        let org = org ?? SimulatedOrg(configuration: SimulatorConfiguration(pollTimeout: .seconds(5)))
        for channel in channels where await !org.channelNames().contains(channel) {
            try await org.createChannel(channel)
        }
        self.org = org
        self.channels = channels
        self.replayStore = inMemory
        self.installedStore = installed
        self.waiter = WorkerWaiter()
        self.deadLetters = InMemoryDeadLetterStore()
        var environment = environment
        environment[HTTPClientFactoryKey.self] = { _ in SimulatorHTTPClient(org: org) }
        environment[ReplayStoreKey.self] = installed
        environment[DeadLetterStoreKey.self] = deadLetters
        environment[WorkerObserverKey.self] = waiter.observer
        let user = await org.currentConfiguration.users.first ?? .demo
        self.container = try ServiceContainer(S.self, configuration: configuration ?? Self.defaultConfiguration(user: user),
                                              environment: environment, logger: logger)
    }

    /// A `SALESFORCE` section that logs in as `user` to the in-process org.
    public static func defaultConfiguration(user: SimulatedUser) -> ServiceConfiguration {
        ServiceConfiguration(.mapping([
            "SALESFORCE": .mapping([
                "USERNAME": .string(user.username),
                "PASSWORD": .string(user.password),
                "SECURITY_TOKEN": .string(user.securityToken),
                "LOGIN_URL": .string("http://simulated-org.invalid"),
            ]),
        ]))
    }

    /// Starts the container and waits until it has subscribed to every channel given at init,
    /// so events published next reach it.
    public func start(timeout: Duration = .seconds(10)) async throws {
        try await container.start()
        for channel in channels {
            try await org.waitForSubscribers(on: channel, timeout: timeout)
        }
    }

    /// Stops the container gracefully (running handlers finish, positions are committed).
    public func stop() async { await container.stop() }
}
