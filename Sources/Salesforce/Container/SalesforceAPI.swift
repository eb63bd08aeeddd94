import ServiceKit

/// The Salesforce REST API as a dependency: `@Dependency(SalesforceAPI()) var salesforce`, then
/// `try await salesforce.create("Contact", fields: [...])` inside a handler.
///
/// It shares the container's Salesforce login with the streaming entrypoints (one session, one
/// re-login when it expires). Changes it makes are made as the configured user, which is what
/// `@HandleSObjectNotification(excludeCurrentUser: true)` filters out to avoid circular handling.
public final class SalesforceAPI: DependencyProvider {
    public typealias Value = any SalesforceAPIClient

    private let state = SharedClient()

    public init() {}

    public func bind(to container: ContainerServices) async throws {
        let shared = await SalesforceConnectionExtension.shared(in: container)
        let settings = try await shared.settings()
        let connection = try await shared.connection()
        await state.set(SalesforceRESTClient(connection: connection, apiVersion: settings.apiVersion))
    }

    public func value(for worker: WorkerContext) async throws -> any SalesforceAPIClient {
        try await state.get()
    }

    /// The client made at bind time (actor-isolated, since `bind` and workers run concurrently).
    private actor SharedClient {
        private var client: SalesforceRESTClient?
        func set(_ client: SalesforceRESTClient) { self.client = client }
        func get() throws -> SalesforceRESTClient {
            guard let client else { throw SalesforceAPIUnavailable() }
            return client
        }
    }
}

/// The dependency was read before its container bound it.
struct SalesforceAPIUnavailable: Error, CustomStringConvertible {
    var description: String { "the SalesforceAPI dependency is not bound to a running container" }
}
