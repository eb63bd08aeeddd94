/// Something that can log in to Salesforce and return a fresh session.
///
/// Each call performs one real login (one request against the org's login rate limit):
/// share sessions through ``SalesforceConnection`` rather than calling this per request.
/// Implementations: ``SOAPLogin``, ``OAuthPasswordLogin``.
public protocol SalesforceAuthenticator: Sendable {
    /// Logs in and returns a new session.
    /// - Throws: ``SalesforceLoginError`` (or `CancellationError` when the task is cancelled).
    func login() async throws -> SalesforceSession
}
