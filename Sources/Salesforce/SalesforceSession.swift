#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A logged-in Salesforce session: the access token and where to use it.
///
/// Obtained from a ``SalesforceAuthenticator`` (usually through ``SalesforceConnection``).
/// Printing, interpolating, dumping or logging a session never shows the access token.
public struct SalesforceSession: Sendable, Hashable {
    /// The bearer token (SOAP `sessionId` or OAuth `access_token`). Secret: never log it.
    public var accessToken: String
    /// The org's base URL, scheme + host (+ port), without a trailing `/`,
    /// e.g. `https://acme.my.salesforce.com`.
    public var instanceURL: String
    /// The logged-in user's ID (`005…`).
    public var userID: String
    /// The org's ID (`00D…`).
    public var organizationID: String
    /// The logged-in user's username, when the login flow reveals it.
    public var username: String?

    public init(accessToken: String, instanceURL: String, userID: String, organizationID: String,
                username: String? = nil) {
        self.accessToken = accessToken
        self.instanceURL = instanceURL
        self.userID = userID
        self.organizationID = organizationID
        self.username = username
    }

    /// The Streaming API (CometD) endpoint: `<instance>/cometd/<apiVersion>`.
    public func cometdURL(apiVersion: String = SalesforceDefaults.defaultAPIVersion) -> String {
        "\(instanceURL)/cometd/\(apiVersion)"
    }

    /// The REST API base: `<instance>/services/data/v<apiVersion>`.
    public func restBaseURL(apiVersion: String = SalesforceDefaults.defaultAPIVersion) -> String {
        "\(instanceURL)/services/data/v\(apiVersion)"
    }

    /// The header that authorizes a request: `("Authorization", "Bearer <token>")`.
    public var authorizationHeader: (name: String, value: String) {
        (name: "Authorization", value: "Bearer \(accessToken)")
    }

    /// The base URL (`scheme://host[:port]`) of an absolute URL such as a SOAP `serverUrl`
    /// (`https://acme.my.salesforce.com/services/Soap/u/64.0/00D…`) or an OAuth `instance_url`.
    /// Returns nil unless the URL is http(s) with a host.
    static func baseURL(of urlString: String) -> String? {
        guard let components = URLComponents(string: urlString),
              let scheme = components.scheme?.lowercased(), scheme == "https" || scheme == "http",
              let host = components.host, !host.isEmpty else { return nil }
        let bracketedHost = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var base = "\(scheme)://\(bracketedHost)"
        if let port = components.port { base += ":\(port)" }
        return base
    }
}

extension SalesforceSession: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Describes the session with the token redacted.
    public var description: String {
        "SalesforceSession(instanceURL: \(instanceURL), userID: \(userID), organizationID: \(organizationID), "
            + "username: \(username ?? "nil"), accessToken: \(Self.redacted(accessToken)))"
    }

    public var debugDescription: String { description }

    /// `dump` and other reflection see the token redacted too.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "accessToken": Self.redacted(accessToken),
            "instanceURL": instanceURL,
            "userID": userID,
            "organizationID": organizationID,
            "username": username as Any,
        ], displayStyle: .struct)
    }

    static func redacted(_ secret: String) -> String {
        secret.isEmpty ? "<empty>" : "<redacted>"
    }
}
