import Salesforce
import ServiceKit

/// The entrypoint behind ``Subscribe`` and ``BayeuxSubscribe``: registers its channel with the
/// container's shared ``StreamingClient`` and runs the handler in a worker for each event.
actor SubscriptionEntrypoint<S: Service>: Entrypoint, StreamingHandler {
    nonisolated let channel: String
    nonisolated let name: String
    private let kind: StreamingClient.Kind
    /// The user's handler, bound to the container's service once (see ``ContainerContext/service``):
    /// binding it per event allocated a closure and copied the service for every worker.
    private let handler: @Sendable (String, StreamingEvent) async throws -> Void
    nonisolated let context: ContainerContext<S>
    private var client: StreamingClient?

    init(channel: String, kind: StreamingClient.Kind, attribute: String,
         handler: @escaping SubscriptionHandler<S>.Function, context: ContainerContext<S>) {
        self.channel = channel
        self.kind = kind
        self.name = "\(attribute)(\(channel))"
        self.handler = handler(context.service)
        self.context = context
    }

    func setup() async throws {
        guard channel.hasPrefix("/"), !channel.hasPrefix("/meta/") else {
            throw StreamingConfigurationError.invalidChannel(channel)
        }
        let services = context.services
        if kind == .salesforce {
            // Made before the streaming client so it stops after it (shared extensions stop in reverse).
            _ = await SalesforceConnectionExtension.shared(in: services)
        }
        let client = await services.sharedExtension(kind.sharingKey) { StreamingClient(kind: kind, services: services) }
        await client.register(self)
        self.client = client
    }

    func stop() async {
        await client?.unregister(self)
    }

    @inline(__always)  // into its protocol witness: one async frame per event, not two
    nonisolated(nonsending) func handle(_ event: StreamingEvent) async throws {
        try await handler(channel, event)
    }
}

/// A streaming declaration or its configuration is unusable.
public enum StreamingConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalidChannel(String)

    public var description: String {
        switch self {
        case .invalidChannel(let channel):
            "'\(channel)' is not a channel to subscribe to: it must start with '/' and not be a /meta/ channel"
        }
    }
}
