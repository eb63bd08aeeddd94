#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport

/// A small client for the Salesforce REST API (queries and sObject records), sharing its login
/// with every other user of the same ``SalesforceConnection``.
///
/// When Salesforce rejects the access token (`INVALID_SESSION_ID`, HTTP 401) a request refreshes
/// the session once through ``SalesforceConnection/refreshSession(replacing:)`` and is retried
/// once; a second rejection is thrown, never retried in a loop.
///
/// Errors: ``SalesforceAPIError`` (Salesforce refused the request), ``SalesforceLoginError``
/// (logging in failed), `HTTPClientError` (no answer), ``SOQLError`` (an sObject name, field
/// name or record ID that is not safe to send).
public struct SalesforceRESTClient: Sendable {
    /// The shared login and HTTP client.
    public let connection: SalesforceConnection
    /// The REST API version, as in `/services/data/v64.0`.
    public let apiVersion: String
    /// Time allowed for each HTTP request.
    public let timeout: Duration

    public init(connection: SalesforceConnection, apiVersion: String = SalesforceDefaults.defaultAPIVersion,
                timeout: Duration = .seconds(60)) {
        self.connection = connection
        self.apiVersion = apiVersion
        self.timeout = timeout
    }

    /// Sends one request built for the current session and returns a 2xx response; refreshes
    /// the session and retries once if the token is rejected.
    func perform(_ method: HTTPMethod, body: Data? = nil,
                 url: (SalesforceSession) -> String) async throws -> HTTPResponse {
        var session = try await connection.session()
        var refreshed = false
        while true {
            var headers = [session.authorizationHeader, (name: "Accept", value: "application/json")]
            if body != nil { headers.append((name: "Content-Type", value: "application/json")) }
            let request = HTTPRequest(method: method, url: url(session), headers: headers, body: body, timeout: timeout)
            let response = try await connection.httpClient.send(request)
            if (200..<300).contains(response.status) { return response }
            let error = SalesforceAPIError(response: response.status, body: response.body)
            guard error.isInvalidSession, !refreshed else { throw error }
            refreshed = true
            session = try await connection.refreshSession(replacing: session)
        }
    }

    /// Decodes a 2xx body, reporting a malformed one as ``SalesforceAPIError/invalidResponseCode``.
    func decode<T: Decodable>(_ type: T.Type, from response: HTTPResponse, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw SalesforceAPIError(errorCode: SalesforceAPIError.invalidResponseCode,
                                     message: "\(what) reply could not be decoded: \(error)", status: response.status)
        }
    }
}
