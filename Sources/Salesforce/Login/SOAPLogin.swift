#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTransport

/// Username + password (+ security token) login through the SOAP partner API, as
/// nameko-salesforce and simple-salesforce do.
///
/// Sends `POST <loginURL>/services/Soap/u/<version>/` with a `login()` envelope and reads
/// `sessionId`, `serverUrl`, `userId`, `userInfo.organizationId` and `userInfo.userName`.
///
/// - Important: Salesforce offers SOAP `login()` only up to API 64.0, retires it in Summer '27,
///   and disables it by default in orgs created from Winter '26. This authenticator therefore
///   always calls version `min(apiVersion, 64.0)`; the session it returns works with any
///   version. Prefer OAuth flows for new deployments.
public struct SOAPLogin: SalesforceAuthenticator {
    /// The Salesforce username (`user@example.com`).
    public let username: String
    /// The user's password. Secret.
    public let password: String
    /// The user's security token, appended to the password; empty when the org trusts the
    /// caller's IP range. Secret.
    public let securityToken: String
    /// The login base URL, see ``SalesforceDefaults/loginURL(sandbox:explicit:)``.
    public let loginURL: String
    /// The API version the rest of the client uses; the login call uses at most 64.0.
    public let apiVersion: String
    /// Time allowed for the login request.
    public let timeout: Duration
    private let httpClient: any HTTPClient

    /// - Parameters:
    ///   - sandbox: log in at `https://test.salesforce.com` instead of `https://login.salesforce.com`.
    ///   - loginURL: an explicit login URL (My Domain, or a simulator); overrides `sandbox`.
    public init(username: String, password: String, securityToken: String = "",
                sandbox: Bool = false, loginURL: String? = nil,
                apiVersion: String = SalesforceDefaults.defaultAPIVersion,
                timeout: Duration = .seconds(30), httpClient: any HTTPClient) {
        self.username = username
        self.password = password
        self.securityToken = securityToken
        self.loginURL = SalesforceDefaults.loginURL(sandbox: sandbox, explicit: loginURL)
        self.apiVersion = apiVersion
        self.timeout = timeout
        self.httpClient = httpClient
    }

    /// The SOAP endpoint the login is posted to.
    public var endpoint: String {
        "\(loginURL)/services/Soap/u/\(SalesforceDefaults.soapLoginVersion(for: apiVersion))"
    }

    /// The login request (exposed to the module for tests).
    func makeRequest() -> HTTPRequest {
        let envelope = SOAPEnvelope.loginRequest(username: username, password: password + securityToken)
        return HTTPRequest(
            method: .post, url: endpoint,
            headers: [
                (name: "Content-Type", value: "text/xml; charset=UTF-8"),
                (name: "SOAPAction", value: "login"),
                (name: "Accept", value: "text/xml"),
            ],
            body: Data(envelope.utf8), timeout: timeout)
    }

    public func login() async throws -> SalesforceSession {
        let response = try await SalesforceLoginError.send(makeRequest(), with: httpClient)
        do {
            return try Self.session(from: response)
        } catch {
            throw error.redacting([password, securityToken, password + securityToken])
        }
    }

    /// Fault codes that mean the same login can never succeed without a configuration change.
    static let permanentFaultCodes: Set<String> = [
        "INVALID_LOGIN", "LOGIN_MUST_USE_SECURITY_TOKEN", "PASSWORD_LOCKOUT",
        "INVALID_OPERATION_WITH_EXPIRED_PASSWORD", "API_DISABLED_FOR_ORG", "API_CURRENTLY_DISABLED",
        "LOGIN_DURING_RESTRICTED_DOMAIN", "ORG_LOCKED", "INSUFFICIENT_ACCESS", "UNSUPPORTED_API_VERSION",
    ]

    static func session(from response: HTTPResponse) throws(SalesforceLoginError) -> SalesforceSession {
        switch SOAPEnvelope.parseLoginReply(response.body) {
        case .success(let sessionID, let serverURL, let userID, let organizationID, let username, let expired):
            guard response.status == 200 else {
                throw .unexpectedResponse(status: response.status, detail: "login reply with a non-200 status")
            }
            if expired {
                throw .invalidCredentials("the user's password has expired; reset it before using the API")
            }
            guard let instanceURL = SalesforceSession.baseURL(of: serverURL) else {
                throw .unexpectedResponse(status: response.status, detail: "serverUrl is not an http(s) URL: \(serverURL)")
            }
            return SalesforceSession(accessToken: sessionID, instanceURL: instanceURL, userID: userID,
                                     organizationID: organizationID, username: username)
        case .fault(let code, let message):
            let reason = message.hasPrefix(code) || message.isEmpty
                ? (message.isEmpty ? code : message) : "\(code): \(message)"
            if permanentFaultCodes.contains(code) { throw .invalidCredentials(reason) }
            throw .unexpectedResponse(status: response.status, detail: "SOAP fault \(reason)")
        case .unrecognized:
            throw .unexpectedResponse(status: response.status,
                                      detail: "not a SOAP login reply: \(SalesforceLoginError.excerpt(response.body))")
        }
    }
}

extension SOAPLogin: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Describes the configuration with the password and token redacted.
    public var description: String {
        "SOAPLogin(username: \(username), password: \(SalesforceSession.redacted(password)), "
            + "securityToken: \(SalesforceSession.redacted(securityToken)), endpoint: \(endpoint))"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "username": username,
            "password": SalesforceSession.redacted(password),
            "securityToken": SalesforceSession.redacted(securityToken),
            "endpoint": endpoint,
        ], displayStyle: .struct)
    }
}
