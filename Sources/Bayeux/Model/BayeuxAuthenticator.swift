/// Provides the endpoint (URL + auth headers) and renews it after the server rejects the credentials.
///
/// Errors thrown by either method are retried with backoff, except errors conforming to
/// ``BayeuxFatalError``, which end the session at once.
public protocol BayeuxAuthenticator: Sendable {
    /// The current endpoint (may log in the first time).
    func endpoint() async throws -> BayeuxEndpoint
    /// Called after the server answered 401 / `401::Authentication invalid`: log in again.
    func reauthenticate() async throws -> BayeuxEndpoint
}

/// Marks an error that retrying cannot fix (e.g. a wrong password): thrown by a
/// ``BayeuxAuthenticator``, it ends the session's stream with that error.
public protocol BayeuxFatalError: Error {}

/// A fixed endpoint, for servers without authentication.
public struct StaticEndpoint: BayeuxAuthenticator {
    public let value: BayeuxEndpoint

    public init(_ endpoint: BayeuxEndpoint) {
        value = endpoint
    }

    public init(url: String, headers: [(name: String, value: String)] = []) {
        value = BayeuxEndpoint(url: url, headers: headers)
    }

    public func endpoint() async throws -> BayeuxEndpoint { value }
    public func reauthenticate() async throws -> BayeuxEndpoint { value }
}
