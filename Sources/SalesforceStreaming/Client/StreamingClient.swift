import HTTPTransport
import Logging
import Salesforce
import ServiceKit

/// The one streaming connection of a container, shared by all its streaming entrypoints
/// (Nameko's shared extension): logs in once, handshakes once, subscribes every channel its
/// entrypoints ask for (each from its replay position), and routes each event to the
/// entrypoints of its channel.
///
/// Events are pulled from the ``BayeuxSession`` a reply at a time and each is handed to a worker;
/// when every worker is busy and as many events wait for one, the loop waits, so no new
/// `/meta/connect` is sent until there is room (backpressure instead of an unbounded buffer). The
/// ``ReplayTracker`` commits, per channel, the position of the latest event handled with all
/// events before it. The loop runs off this actor, on a route table fixed when the connection
/// starts (subscribers register during setup), so an event costs no hop onto the actor.
actor StreamingClient: SharedExtension {
    /// Which server and configuration section the connection uses.
    enum Kind: Sendable {
        /// Salesforce: login from the `SALESFORCE` section, durable replay.
        case salesforce
        /// Any CometD server from the `BAYEUX` section, no login.
        case bayeux

        /// The configuration section the connection reads.
        var configurationSection: String {
            switch self {
            case .salesforce: "SALESFORCE"
            case .bayeux: "BAYEUX"
            }
        }

        var sharingKey: String {
            switch self {
            case .salesforce: "streaming.salesforce"
            case .bayeux: "streaming.bayeux"
            }
        }
    }

    let kind: Kind
    let services: ContainerServices
    private let logger: Logger
    private var subscribers: [String: [any StreamingSubscriber]] = [:]
    private var channelOrder: [String] = []
    private var http: (any HTTPClient)?
    private var session: BayeuxSession?
    private var tracker: ReplayTracker?
    private var loop: Task<Void, Never>?
    /// Refreshes stored positions and retries failed writes (``ReplayStoreMaintenance``).
    private var replayMaintenance: Task<Void, Never>?

    init(kind: Kind, services: ContainerServices) {
        self.kind = kind
        self.services = services
        var logger = services.logger
        logger[metadataKey: "connection"] = .string(kind.sharingKey)
        self.logger = logger
    }

    /// Adds an entrypoint for its channel; several entrypoints may share a channel.
    func register(_ subscriber: any StreamingSubscriber) {
        let channel = subscriber.channel
        if subscribers[channel] == nil { channelOrder.append(channel) }
        subscribers[channel, default: []].append(subscriber)
    }

    /// Removes an entrypoint; when none is left the connection stops taking events at once (the
    /// pending long poll is cancelled), but stays connected until ``stop()`` has committed the final
    /// replay positions.
    func unregister(_ subscriber: any StreamingSubscriber) async {
        let channel = subscriber.channel
        subscribers[channel]?.removeAll { $0 === subscriber }
        if subscribers[channel]?.isEmpty == true {
            subscribers[channel] = nil
            channelOrder.removeAll { $0 == channel }
        }
        if subscribers.isEmpty { loop?.cancel() }
    }

    // MARK: Lifecycle

    func setup() async throws {
        try await validateConfiguration()
    }

    func start() async throws {
        let channels = channelOrder
        guard !channels.isEmpty else { return }
        let connection = try await makeConnectionParts()
        http = connection.http
        let tracker = ReplayTracker(store: connection.store, logger: logger)
        try await tracker.load(channels: channels)
        self.tracker = tracker
        let delivery = EventDelivery.Context(tracker: tracker, policy: connection.failurePolicy,
                                             deadLetters: connection.deadLetters, services: services, logger: logger)
        let session = BayeuxSession(configuration: connection.bayeux, transport: connection.http,
                                    authenticator: connection.authenticator, replay: tracker, logger: logger)
        self.session = session
        logger.info("streaming connection starting", metadata: ["channels": .array(channels.map { .string($0) })])
        let routes = RouteTable(channels: channels, subscribers: subscribers, tracker: tracker)
        let (logger, services) = (self.logger, self.services)
        // Events are handed to the workers ten times `max_workers` at a time: a whole reply at
        // once kept its events waiting in the pool while the session read further replies ahead
        // (the session holds at most two beyond the one being handed over).
        let handOver = 10 * services.maxWorkers
        // Not detached: the loop (and the workers it starts) keep the starter's task-local values.
        // It calls nothing on this actor, so it runs on the global executor.
        loop = Task {
            await Self.run(session: session, channels: channels, routes: routes, delivery: delivery, handOver: handOver,
                           logger: logger, services: services)
        }
        replayMaintenance = ReplayStoreMaintenance.start(store: connection.store, tracker: tracker,
                                                         channels: channels, logger: logger)
    }

    /// Runs after every worker finished: commits the final replay positions, then disconnects.
    func stop() async {
        loop?.cancel()
        await loop?.value
        await stopReplayMaintenance()
        await tracker?.flush()
        await session?.stop()
        await shutdownHTTP()
    }

    func kill() async {
        loop?.cancel()
        await stopReplayMaintenance()
        await session?.stop()
        await shutdownHTTP()
    }

    private func stopReplayMaintenance() async {
        replayMaintenance?.cancel()
        await replayMaintenance?.value
        replayMaintenance = nil
    }

    private func shutdownHTTP() async {
        http?.shutdown()
        http = nil
    }

    // MARK: Event loop

    private static func run(session: BayeuxSession, channels: [String], routes: RouteTable,
                            delivery: EventDelivery.Context, handOver: Int, logger: Logger,
                            services: ContainerServices) async {
        do {
            for try await var batch in session.messageBatches(subscribingTo: channels) {
                var start = batch.startIndex
                while start < batch.endIndex {
                    let end = min(start + handOver, batch.endIndex)
                    var groups = DeliveryGroups(capacity: end - start)
                    var recent = RouteTable.Recent()
                    // By index: the event takes the three fields it needs out of its message.
                    for index in start..<end {
                        let event = batch[index].takeEvent()
                        route(channel: event.channel, payload: event.payload, clientID: event.clientId,
                              routes: routes, recent: &recent, delivery: delivery, logger: logger, into: &groups)
                    }
                    for group in groups.groups {
                        try await group.target.deliver(group.deliveries)
                    }
                    start = end
                }
            }
        } catch is CancellationError {
        } catch ContainerError.notRunning {
        } catch {
            logger.error("streaming connection failed: \(error)")
            await services.fail(error)
        }
    }

    /// Adds an event's deliveries for the entrypoints of its channel to `groups`, taking its
    /// replay tracker tickets in the order events arrive.
    /// The fields are consumed: with one route (the common case) they move into its delivery.
    private static func route(channel: consuming String, payload: consuming JSONPayload?, clientID: consuming String?,
                              routes table: RouteTable, recent: inout RouteTable.Recent,
                              delivery context: EventDelivery.Context, logger: Logger, into groups: inout DeliveryGroups) {
        let routes = table.routes(for: channel, recent: &recent)
        if routes.isEmpty {
            logger.warning("event on a channel no entrypoint subscribed to; ignored", metadata: ["channel": "\(channel)"])
            return
        }
        let replayID = payload?.replayID
        func deliver(_ route: RouteTable.Route, channel: consuming String, payload: consuming JSONPayload?,
                     clientID: consuming String?) {
            let ticket = route.trackerSlot.flatMap { context.tracker?.deliver(slot: $0, replayID: replayID) }
            let delivery = EventDelivery(channel: channel, payload: payload, replayID: replayID, clientID: clientID,
                                         ticket: ticket, targets: route.targets.count, context: context)
            for target in route.targets {
                groups.append(delivery, for: target)
            }
        }
        for route in routes.dropLast() {
            deliver(route, channel: copy channel, payload: copy payload, clientID: copy clientID)
        }
        deliver(routes.last!, channel: channel, payload: payload, clientID: clientID)
    }
}

/// Deliveries of a run of a reply's events by entrypoint, in arrival order within each: handed
/// to each entrypoint as one batch of workers.
struct DeliveryGroups {
    private(set) var groups: [(target: any StreamingSubscriber, deliveries: [EventDelivery?])] = []
    private let capacity: Int
    private var last = 0

    init(capacity: Int) {
        self.capacity = capacity
    }

    mutating func append(_ delivery: EventDelivery, for target: any StreamingSubscriber) {
        if last < groups.count, groups[last].target === target {
            groups[last].deliveries.append(delivery)
        } else if let index = groups.firstIndex(where: { $0.target === target }) {
            last = index
            groups[index].deliveries.append(delivery)
        } else {
            var deliveries: [EventDelivery?] = []
            deliveries.reserveCapacity(groups.isEmpty ? capacity : 16)
            deliveries.append(delivery)
            last = groups.count
            groups.append((target, deliveries))
        }
    }
}

/// Where the events of each channel go, fixed when the connection starts: the subscribed channel
/// itself, and its filtered subscriptions (`/topic/X?Field=v` is delivered on `/topic/X`).
struct RouteTable: Sendable {
    /// A subscribed channel an event belongs to, and the entrypoints subscribed to it.
    struct Route: Sendable {
        let channel: String
        let targets: [any StreamingSubscriber]
        /// The channel's slot in the replay tracker.
        let trackerSlot: Int?
    }

    private let routes: [String: [Route]]

    init(channels: [String], subscribers: [String: [any StreamingSubscriber]], tracker: ReplayTracker?) {
        var routes: [String: [Route]] = [:]
        for subscribed in channels {
            guard let targets = subscribers[subscribed] else { continue }
            let delivered = String(subscribed.prefix { $0 != "?" })
            routes[delivered, default: []].append(Route(channel: subscribed, targets: targets,
                                                        trackerSlot: tracker?.slot(for: subscribed)))
        }
        self.routes = routes
    }

    /// The routes of an event on `channel` (empty when no entrypoint subscribed to it).
    func routes(for channel: String) -> [Route] { routes[channel] ?? [] }

    /// The last channel looked up and its routes: the events of a reply mostly share a channel,
    /// and its string (the reply reader reuses it), so comparing it is cheaper than hashing it.
    struct Recent {
        fileprivate var channel: String?
        fileprivate var routes: [Route] = []
    }

    /// ``routes(for:)``, answered from `recent` when the channel is the last one looked up.
    func routes(for channel: String, recent: inout Recent) -> [Route] {
        if channel == recent.channel { return recent.routes }
        recent = Recent(channel: channel, routes: routes(for: channel))
        return recent.routes
    }
}
