import HTTPTransport
import Logging
import ServiceKit

/// The container's one Salesforce login, shared by its streaming entrypoints and its
/// `SalesforceAPI` dependency: one session, re-logged in once when it expires, whoever notices.
public actor SalesforceConnectionExtension: SharedExtension {
    /// The key the container shares it under.
    public static let sharingKey = "salesforce.connection"

    /// The container's instance (made on first use).
    public static func shared(in services: ContainerServices) async -> SalesforceConnectionExtension {
        await services.sharedExtension(sharingKey) { SalesforceConnectionExtension(services: services) }
    }

    private let services: ContainerServices
    private var made: (settings: SalesforceSettings, connection: SalesforceConnection, http: any HTTPClient)?

    init(services: ContainerServices) {
        self.services = services
    }

    /// The `SALESFORCE` settings; throws a ``ConfigurationError`` naming a missing or wrong key.
    public func settings() throws -> SalesforceSettings {
        try made?.settings ?? SalesforceSettings(configuration: services.configuration)
    }

    /// The shared connection, made from the settings on first use: OAuth username-password login
    /// when `CONSUMER_KEY`/`CONSUMER_SECRET` are set, SOAP partner login otherwise.
    public func connection() throws -> SalesforceConnection {
        if let made { return made.connection }
        let settings = try SalesforceSettings(configuration: services.configuration)
        let http = services.environment[HTTPClientFactoryKey.self](HTTPClientOptions(caBundlePath: settings.caBundlePath))
        let authenticator: any SalesforceAuthenticator
        if let key = settings.consumerKey, let secret = settings.consumerSecret {
            authenticator = OAuthPasswordLogin(clientID: key, clientSecret: secret, username: settings.username,
                                               password: settings.password, securityToken: settings.securityToken,
                                               loginURL: settings.loginURL, httpClient: http)
        } else {
            authenticator = SOAPLogin(username: settings.username, password: settings.password,
                                      securityToken: settings.securityToken, loginURL: settings.loginURL,
                                      apiVersion: settings.apiVersion, httpClient: http)
        }
        let connection = SalesforceConnection(authenticator: authenticator, httpClient: http, logger: services.logger)
        made = (settings, connection, http)
        return connection
    }

    public func stop() async {
        made?.http.shutdown()
        made = nil
    }
}
