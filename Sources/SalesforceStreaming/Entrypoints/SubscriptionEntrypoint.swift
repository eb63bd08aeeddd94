import Salesforce
import ServiceKit

/// The entrypoint behind ``Subscribe`` and ``BayeuxSubscribe``: registers its channel with the
/// container's shared ``StreamingClient`` and runs the handler in a worker for each event.
actor SubscriptionEntrypoint<S: Service>: Entrypoint, StreamingHandler {
    nonisolated let channel: String
    nonisolated let name: String
    private let kind: StreamingClient.Kind
    private let handler: SubscriptionHandler<S>.Function
    nonisolated let context: ContainerContext<S>
    private var client: StreamingClient?

    init(channel: String, kind: StreamingClient.Kind, attribute: String,
         handler: @escaping SubscriptionHandler<S>.Function, context: ContainerContext<S>) {
        self.channel = channel
        self.kind = kind
        self.name = "\(attribute)(\(channel))"
        self.handler = handler
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
    nonisolated(nonsending) func handle(_ event: StreamingEvent, service: S) async throws {
        try await handler(service)(channel, event)
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
