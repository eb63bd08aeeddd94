import Logging
import Redis
import ServiceKit

/// The container's connection to Redis for short commands (`XADD`, `XACK`, dead-lettering),
/// shared by the event dispatcher and every event handler of a container. Blocking reads never
/// use it: each handler has a connection of its own for those.
///
/// As a shared extension it stops after every worker has finished, so the acknowledgements of
/// the last workers still go out; then it forgets the consumers that have nothing pending and
/// closes the connection.
actor EventsConnection: SharedExtension {
    static let sharingKey = "RedisEvents.connection"

    nonisolated let redis: RedisConnection
    private let logger: Logger
    private var consumers: [(stream: String, group: String, consumer: String)] = []

    init(configuration: RedisConfiguration, logger: Logger) {
        self.redis = RedisConnection(configuration: configuration, logger: logger)
        self.logger = logger
    }

    /// The container's connection, made on first use.
    static func shared(in services: ContainerServices, settings: EventsConfiguration) async -> EventsConnection {
        await services.sharedExtension(sharingKey) {
            EventsConnection(configuration: settings.redis, logger: services.logger)
        }
    }

    /// Remembers a consumer of this container, to delete it from its group on stop when it has
    /// no pending entries (consumer names are unique per container, so they would pile up).
    func register(stream: String, group: String, consumer: String) {
        consumers.append((stream, group, consumer))
    }

    func stop() async {
        for (stream, group, consumer) in consumers {
            do {
                let pending = try await redis.command(["XPENDING", stream, group, "-", "+", "1", consumer])
                guard pending.arrayValue?.isEmpty == true else { continue }
                try await redis.command(["XGROUP", "DELCONSUMER", stream, group, consumer])
            } catch {
                logger.debug("could not remove consumer \(consumer) from group \(group): \(error)")
            }
        }
        consumers.removeAll()
        await redis.close()
    }

    func kill() async {
        await redis.close()
    }
}
