import Synchronization
import ServiceKit

/// Dispatches events to the service's Redis stream `<service name>.events` (Nameko's
/// `EventDispatcher`, whose exchange is `<service>.events`).
///
/// ```swift
/// struct ProxyService: Service {
///     static let name = "some-service"
///     @Dependency(EventDispatcher()) var dispatch
///     func handle(...) async throws {
///         try await dispatch("salesforce_lead_created", payload)
///     }
/// }
/// ```
///
/// Each event is one stream entry with the fields `type`, `payload` (JSON text),
/// `source_service`, `call_id` (the dispatching worker) and the worker's context data as
/// `ctx.<key>`, so `redis-cli XREAD STREAMS some-service.events 0` shows it. Configuration:
///
/// ```yaml
/// EVENTS:
///   REDIS_URI: redis://127.0.0.1:6379/0
///   MAXLEN: 100000     # optional: XADD ... MAXLEN ~ 100000
/// ```
///
/// A dispatch that fails (Redis down) throws to the handler, so its worker fails.
public final class EventDispatcher: DependencyProvider {
    public typealias Value = any EventDispatching

    private struct State {
        var services: ContainerServices?
        var settings: EventsConfiguration?
        var connection: EventsConnection?
    }

    /// Set during bind/setup, read by workers; all access under the mutex.
    private let state = Mutex(State())

    public init() {}

    public func bind(to container: ContainerServices) async throws {
        state.withLock { $0.services = container }
    }

    public func setup() async throws {
        guard let services = state.withLock({ $0.services }) else {
            preconditionFailure("EventDispatcher.setup() before bind(to:)")
        }
        let settings = try EventsConfiguration(services.configuration)
        let connection = await EventsConnection.shared(in: services, settings: settings)
        state.withLock {
            $0.settings = settings
            $0.connection = connection
        }
    }

    public func value(for worker: WorkerContext) async throws -> any EventDispatching {
        let (settings, connection) = state.withLock { ($0.settings, $0.connection) }
        guard let settings, let connection else {
            preconditionFailure("EventDispatcher used by a worker before the container set it up")
        }
        return RedisEventDispatch(redis: connection.redis, stream: EventStreamName.events(of: worker.serviceName),
                                  sourceService: worker.serviceName, callID: worker.callID,
                                  contextData: worker.data, maxLength: settings.maxLength)
    }
}
