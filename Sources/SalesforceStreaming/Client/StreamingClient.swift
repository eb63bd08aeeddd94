import HTTPTransport
import Logging
import Salesforce
import ServiceKit

/// The one streaming connection of a container, shared by all its streaming entrypoints
/// (Nameko's shared extension): logs in once, handshakes once, subscribes every channel its
/// entrypoints ask for (each from its replay position), and routes each event to the
/// entrypoints of its channel.
///
/// Events are pulled from the ``BayeuxSession`` stream one at a time and each is handed to a
/// worker; when every worker is busy and as many events wait for one, the pull waits, so no new `/meta/connect` is sent until
/// there is room (backpressure instead of an unbounded buffer). The ``ReplayTracker`` commits, per
/// channel, the position of the latest event handled with all events before it.
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
    /// Memo of ``routes(for:)``; cleared when subscriptions change.
    private var routes: [String: [Route]] = [:]
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
        routes.removeAll()
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
        routes.removeAll()
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
        loop = Task { await self.run(session: session, channels: channels, delivery: delivery) }
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

    private func run(session: BayeuxSession, channels: [String], delivery: EventDelivery.Context) async {
        do {
            for try await message in session.messages(subscribingTo: channels) {
                guard try await route(message, delivery: delivery) else { break }
            }
        } catch is CancellationError {
        } catch ContainerError.notRunning {
        } catch {
            logger.error("streaming connection failed: \(error)")
            await services.fail(error)
        }
    }

    /// Hands `message` to the entrypoints of its channel; false once the container takes no more workers.
    private func route(_ message: BayeuxMessage, delivery context: EventDelivery.Context) async throws -> Bool {
        if subscribers.isEmpty { return false }
        let event = StreamingEvent(channel: message.channel, data: message.data ?? .null)
        let clientID = message.clientId
        let routes = routes(for: message.channel)
        for (channel, targets) in routes {
            let ticket = context.tracker?.deliver(channel: channel, replayID: event.replayID)
            let delivery = EventDelivery(event: event, clientID: clientID, ticket: ticket, targets: targets.count,
                                         context: context)
            for target in targets {
                do {
                    try await delivery.deliver(to: target)
                } catch ContainerError.notRunning {
                    return false
                }
            }
        }
        if routes.isEmpty {
            logger.warning("event on a channel no entrypoint subscribed to; ignored", metadata: ["channel": "\(message.channel)"])
        }
        return true
    }

    /// A subscribed channel an event belongs to, and the entrypoints subscribed to it.
    private typealias Route = (channel: String, targets: [any StreamingSubscriber])

    /// Where an event on `channel` goes: the channel itself, and filtered subscriptions of it
    /// (`/topic/X?Field=v` is delivered on `/topic/X`).
    private func routes(for channel: String) -> [Route] {
        if let known = routes[channel] { return known }
        let found: [Route] = channelOrder
            .filter { $0 == channel || ($0.hasPrefix(channel) && $0.dropFirst(channel.count).first == "?") }
            .compactMap { subscribed in subscribers[subscribed].map { (subscribed, $0) } }
        routes[channel] = found
        return found
    }
}
