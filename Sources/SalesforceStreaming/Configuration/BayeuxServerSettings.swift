import ServiceKit

/// The `BAYEUX` section for generic CometD servers (what nameko-bayeux-client reads).
///
/// ```yaml
/// BAYEUX:
///   SERVER_URI: http://127.0.0.1:8765/cometd/59.0
///   VERSION: "1.0"
///   MINIMUM_VERSION: "1.0"
/// ```
public struct BayeuxServerSettings: Sendable, Equatable {
    public var serverURI: String
    public var version: String
    public var minimumVersion: String

    public init(configuration: ServiceConfiguration) throws {
        guard configuration.value("BAYEUX") != nil else { throw ConfigurationError.missingKey("BAYEUX") }
        serverURI = try configuration.string("BAYEUX.SERVER_URI")
        version = try configuration.optionalVersion("BAYEUX.VERSION") ?? "1.0"
        minimumVersion = try configuration.optionalVersion("BAYEUX.MINIMUM_VERSION") ?? "1.0"
        guard serverURI.hasPrefix("http://") || serverURI.hasPrefix("https://") else {
            throw ConfigurationError.invalidValue(key: "BAYEUX.SERVER_URI", reason: "'\(serverURI)' is not an http(s) URL")
        }
    }
}
