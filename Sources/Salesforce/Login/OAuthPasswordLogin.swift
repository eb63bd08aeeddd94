#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport

/// The OAuth 2.0 username-password flow: `POST <loginURL>/services/oauth2/token` with
/// `grant_type=password`, a connected app's client ID and secret, and the user's credentials.
///
/// - Important: Salesforce recommends avoiding this flow (orgs can block it with
///   `blockOAuthUnPwFlow`, and it is being deprecated in favour of the JWT bearer and client
///   credentials flows). It is offered because it works with API versions above 64.0, unlike
///   ``SOAPLogin``.
public struct OAuthPasswordLogin: SalesforceAuthenticator {
    /// The connected app's consumer key.
    public let clientID: String
    /// The connected app's consumer secret. Secret.
    public let clientSecret: String
    /// The Salesforce username.
    public let username: String
    /// The user's password. Secret.
    public let password: String
    /// The user's security token, appended to the password (may be empty). Secret.
    public let securityToken: String
    /// The login base URL, see ``SalesforceDefaults/loginURL(sandbox:explicit:)``.
    public let loginURL: String
    /// Time allowed for the token request.
    public let timeout: Duration
    private let httpClient: any HTTPClient

    /// - Parameters:
    ///   - sandbox: log in at `https://test.salesforce.com` instead of `https://login.salesforce.com`.
    ///   - loginURL: an explicit login URL (My Domain, or a simulator); overrides `sandbox`.
    public init(clientID: String, clientSecret: String, username: String, password: String,
                securityToken: String = "", sandbox: Bool = false, loginURL: String? = nil,
                timeout: Duration = .seconds(30), httpClient: any HTTPClient) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.username = username
        self.password = password
        self.securityToken = securityToken
        self.loginURL = SalesforceDefaults.loginURL(sandbox: sandbox, explicit: loginURL)
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// The token endpoint the request is posted to.
    public var endpoint: String { "\(loginURL)/services/oauth2/token" }

    /// The token request (exposed to the module for tests).
    func makeRequest() -> HTTPRequest {
        let form = FormEncoding.encode([
            ("grant_type", "password"),
            ("client_id", clientID),
            ("client_secret", clientSecret),
            ("username", username),
            ("password", password + securityToken),
        ])
        return HTTPRequest(
            method: .post, url: endpoint,
            headers: [
                (name: "Content-Type", value: "application/x-www-form-urlencoded"),
                (name: "Accept", value: "application/json"),
            ],
            body: Data(form.utf8), timeout: timeout)
    }

    public func login() async throws -> SalesforceSession {
        let response = try await SalesforceLoginError.send(makeRequest(), with: httpClient)
        do {
            return try Self.session(from: response, username: username)
        } catch {
            throw error.redacting([password, securityToken, password + securityToken, clientSecret])
        }
    }

    /// OAuth `error` values that mean the same request can never succeed.
    static let permanentErrors: Set<String> = [
        "invalid_grant", "invalid_client_id", "invalid_client", "unauthorized_client",
        "unsupported_grant_type", "inactive_user", "inactive_org", "invalid_scope",
    ]

    private struct TokenReply: Decodable {
        var access_token: String?
        var instance_url: String?
        var id: String?
        var error: String?
        var error_description: String?
    }

    static func session(from response: HTTPResponse, username: String) throws(SalesforceLoginError) -> SalesforceSession {
        let reply = try? JSONDecoder().decode(TokenReply.self, from: response.body)
        if let error = reply?.error {
            let reason = reply?.error_description.map { "\(error): \($0)" } ?? error
            if permanentErrors.contains(error) && (400..<500).contains(response.status) {
                throw .invalidCredentials(reason)
            }
            throw .unexpectedResponse(status: response.status, detail: reason)
        }
        guard response.status == 200, let reply, let token = reply.access_token, !token.isEmpty else {
            throw .unexpectedResponse(status: response.status,
                                      detail: "not an OAuth token reply: \(SalesforceLoginError.excerpt(response.body))")
        }
        guard let instance = reply.instance_url, let instanceURL = SalesforceSession.baseURL(of: instance) else {
            throw .unexpectedResponse(status: response.status, detail: "token reply without a valid instance_url")
        }
        // The identity URL ends in /id/<organizationID>/<userID>.
        guard let identity = reply.id, let ids = identityIDs(identity) else {
            throw .unexpectedResponse(status: response.status,
                                      detail: "token reply without an identity URL (.../id/<org>/<user>)")
        }
        return SalesforceSession(accessToken: token, instanceURL: instanceURL, userID: ids.user,
                                 organizationID: ids.organization, username: username)
    }

    /// `https://login.salesforce.com/id/00D…/005…` → (organization: 00D…, user: 005…).
    static func identityIDs(_ identityURL: String) -> (organization: String, user: String)? {
        let path = URLComponents(string: identityURL)?.path ?? identityURL
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[parts.count - 3] == "id",
              !parts[parts.count - 2].isEmpty, !parts[parts.count - 1].isEmpty else { return nil }
        return (organization: parts[parts.count - 2], user: parts[parts.count - 1])
    }
}

extension OAuthPasswordLogin: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Describes the configuration with the password, token and client secret redacted.
    public var description: String {
        "OAuthPasswordLogin(clientID: \(clientID), clientSecret: \(SalesforceSession.redacted(clientSecret)), "
            + "username: \(username), password: \(SalesforceSession.redacted(password)), "
            + "securityToken: \(SalesforceSession.redacted(securityToken)), endpoint: \(endpoint))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "clientID": clientID,
            "clientSecret": SalesforceSession.redacted(clientSecret),
            "username": username,
            "password": SalesforceSession.redacted(password),
            "securityToken": SalesforceSession.redacted(securityToken),
            "endpoint": endpoint,
        ], displayStyle: .struct)
    }
}
