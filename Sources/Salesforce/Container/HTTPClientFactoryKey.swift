import HTTPTransport
import ServiceKit

/// Makes the HTTP clients a container's Salesforce and Bayeux connections use (one per
/// connection, so cookies stay with their session). The default is libcurl; tests put an
/// in-memory transport here.
public enum HTTPClientFactoryKey: ContainerEnvironmentKey {
    public static var defaultValue: @Sendable (HTTPClientOptions) -> any HTTPClient {
        { options in CurlHTTPClient(configuration: .init(caBundlePath: options.caBundlePath)) }
    }
}

/// What the configuration asks of an HTTP client.
public struct HTTPClientOptions: Sendable {
    /// A CA bundle to trust instead of the system's (corporate TLS proxies).
    public var caBundlePath: String?

    public init(caBundlePath: String? = nil) {
        self.caBundlePath = caBundlePath
    }
}

