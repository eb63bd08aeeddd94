#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import ServiceKit

/// The `SALESFORCE` section of a service configuration, as nameko-salesforce reads it, plus
/// `LOGIN_URL`, OAuth client keys and a CA bundle.
///
/// ```yaml
/// SALESFORCE:
///   USERNAME: ${SALESFORCE_USERNAME}
///   PASSWORD: ${SALESFORCE_PASSWORD}
///   SECURITY_TOKEN: ${SALESFORCE_SECURITY_TOKEN:}
///   SANDBOX: false
///   API_VERSION: "64.0"
///   LOGIN_URL: https://mydomain.my.salesforce.com   # optional; overrides SANDBOX
///   PUSHTOPIC_REPLAY_ENABLED: true
///   PUSHTOPIC_REPLAY_REDIS_URI: redis://localhost:6379/11
///   PUSHTOPIC_REPLAY_TTL: 43200
///   PUSHTOPIC_REPLAY_KEY_PREFIX: billing-prod    # optional; namespaces the Redis keys
///   PUSHTOPIC_REPLAY_FALLBACK: all               # all (default) | new | fail
/// ```
public struct SalesforceSettings: Sendable, Equatable {
    public var username: String
    public var password: String
    /// Appended to the password at login; empty when the org trusts the caller's IP.
    public var securityToken: String
    public var sandbox: Bool
    /// The API version of the REST and CometD endpoints (`/cometd/<API_VERSION>`).
    public var apiVersion: String
    public var bayeuxVersion: String
    public var bayeuxMinimumVersion: String
    /// The login server; defaults to login.salesforce.com, or test.salesforce.com with `SANDBOX`
    /// (``SalesforceDefaults/loginURL(sandbox:explicit:)``).
    public var loginURL: String
    /// With both set, login uses the OAuth 2.0 username-password flow instead of SOAP.
    public var consumerKey: String?
    public var consumerSecret: String?
    /// Persist replay positions in Redis (`PUSHTOPIC_REPLAY_ENABLED`).
    public var replayEnabled: Bool
    public var replayRedisURI: String?
    /// How long a stored position lives without being refreshed, in seconds.
    public var replayTTL: Int
    /// Put in front of the Redis keys (`<prefix>:salesforce:replay_id:<channel>`) so services or
    /// orgs sharing one Redis keep separate positions (`PUSHTOPIC_REPLAY_KEY_PREFIX`). Nil: the
    /// keys nameko-salesforce uses.
    public var replayKeyPrefix: String?
    /// What to do when Salesforce rejects a stored replay ID as invalid (`PUSHTOPIC_REPLAY_FALLBACK`).
    public var replayFallback: ReplayFallback
    /// A CA bundle to trust instead of the system's (`CA_BUNDLE`).
    public var caBundlePath: String?

    /// Where a subscription restarts when Salesforce rejects its stored replay ID (expired beyond
    /// the retention window, or from another org).
    public enum ReplayFallback: String, Sendable, Equatable, CaseIterable {
        /// Replay every event still retained (`-2`): events may be handled twice, none is skipped.
        /// The default.
        case all
        /// Only new events (`-1`): events published while the service was down are skipped.
        case new
        /// No fallback: the streaming connection, and the container, stop with the error.
        case fail
    }

    /// nameko-salesforce's default replay TTL: 12 hours, inside Salesforce's 24-hour retention.
    public static let defaultReplayTTL = 12 * 3600

    /// Reads the `SALESFORCE` section of `configuration`; errors name the offending key.
    public init(configuration: ServiceConfiguration) throws {
        guard configuration.value("SALESFORCE") != nil else { throw ConfigurationError.missingKey("SALESFORCE") }
        let c = configuration
        username = try c.string("SALESFORCE.USERNAME")
        password = try c.string("SALESFORCE.PASSWORD")
        securityToken = try c.optionalString("SALESFORCE.SECURITY_TOKEN") ?? ""
        sandbox = try c.optionalBool("SALESFORCE.SANDBOX") ?? false
        apiVersion = try c.optionalVersion("SALESFORCE.API_VERSION") ?? SalesforceDefaults.defaultAPIVersion
        bayeuxVersion = try c.optionalVersion("SALESFORCE.BAYEUX_VERSION") ?? "1.0"
        bayeuxMinimumVersion = try c.optionalVersion("SALESFORCE.BAYEUX_MINIMUM_VERSION") ?? "1.0"
        loginURL = SalesforceDefaults.loginURL(sandbox: sandbox, explicit: try c.optionalString("SALESFORCE.LOGIN_URL"))
        consumerKey = try c.optionalString("SALESFORCE.CONSUMER_KEY")
        consumerSecret = try c.optionalString("SALESFORCE.CONSUMER_SECRET")
        replayEnabled = try c.optionalBool("SALESFORCE.PUSHTOPIC_REPLAY_ENABLED") ?? false
        replayRedisURI = try c.optionalString("SALESFORCE.PUSHTOPIC_REPLAY_REDIS_URI")
        replayTTL = try c.optionalInt("SALESFORCE.PUSHTOPIC_REPLAY_TTL") ?? Self.defaultReplayTTL
        replayKeyPrefix = try c.optionalString("SALESFORCE.PUSHTOPIC_REPLAY_KEY_PREFIX").flatMap { $0.isEmpty ? nil : $0 }
        let fallback = try c.optionalString("SALESFORCE.PUSHTOPIC_REPLAY_FALLBACK") ?? ReplayFallback.all.rawValue
        guard let replayFallback = ReplayFallback(rawValue: fallback.lowercased()) else {
            throw ConfigurationError.invalidValue(key: "SALESFORCE.PUSHTOPIC_REPLAY_FALLBACK",
                                                  reason: "'\(fallback)' is not one of all, new, fail")
        }
        self.replayFallback = replayFallback
        caBundlePath = try c.optionalString("SALESFORCE.CA_BUNDLE")
        try validate()
    }

    private func validate() throws {
        guard let version = Double(apiVersion), version >= 37.0 else {
            throw ConfigurationError.invalidValue(key: "SALESFORCE.API_VERSION",
                                                  reason: "'\(apiVersion)' is not an API version of 37.0 or later (durable streaming needs 37.0)")
        }
        guard loginURL.hasPrefix("https://") || loginURL.hasPrefix("http://") else {
            throw ConfigurationError.invalidValue(key: "SALESFORCE.LOGIN_URL", reason: "'\(loginURL)' is not an http(s) URL")
        }
        if (consumerKey == nil) != (consumerSecret == nil) {
            throw ConfigurationError.missingKey(consumerKey == nil ? "SALESFORCE.CONSUMER_KEY" : "SALESFORCE.CONSUMER_SECRET")
        }
        if replayEnabled, replayRedisURI == nil {
            throw ConfigurationError.missingKey("SALESFORCE.PUSHTOPIC_REPLAY_REDIS_URI")
        }
        guard replayTTL > 0 else {
            throw ConfigurationError.invalidValue(key: "SALESFORCE.PUSHTOPIC_REPLAY_TTL", reason: "must be a positive number of seconds, got \(replayTTL)")
        }
        if let caBundlePath, !FileManager.default.isReadableFile(atPath: caBundlePath) {
            throw ConfigurationError.invalidValue(key: "SALESFORCE.CA_BUNDLE", reason: "cannot read \(caBundlePath)")
        }
    }
}
