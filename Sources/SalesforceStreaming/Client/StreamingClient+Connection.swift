import HTTPTransport
import Salesforce
import ServiceKit

/// What a streaming connection is made of, from configuration and the container's environment.
struct StreamingConnectionParts: Sendable {
    let http: any HTTPClient
    let authenticator: any BayeuxAuthenticator
    let store: any ReplayStore
    let deadLetters: any DeadLetterStore
    let failurePolicy: HandlerFailurePolicy
    let bayeux: BayeuxConfiguration
}

extension StreamingClient {
    /// Reads the configuration section of this connection's kind; errors name the key.
    func validateConfiguration() async throws {
        switch kind {
        case .salesforce:
            let settings = try await SalesforceConnectionExtension.shared(in: services).settings()
            // A bad Redis URI fails setup, before any connection is made.
            if services.environment[ReplayStoreKey.self] == nil { _ = try makeReplayStore(settings) }
        case .bayeux: _ = try BayeuxServerSettings(configuration: services.configuration)
        }
        _ = try HandlerFailurePolicy(configuration: services.configuration, section: kind.configurationSection)
    }

    func makeConnectionParts() async throws -> StreamingConnectionParts {
        let environment = services.environment
        let failurePolicy = try HandlerFailurePolicy(configuration: services.configuration, section: kind.configurationSection)
        let deadLetters = environment[DeadLetterStoreKey.self] ?? InMemoryDeadLetterStore()
        var bayeux = BayeuxConfiguration()
        let parts: StreamingConnectionParts
        switch kind {
        case .salesforce:
            let shared = await SalesforceConnectionExtension.shared(in: services)
            let settings = try await shared.settings()
            let connection = try await shared.connection()
            bayeux.version = settings.bayeuxVersion
            bayeux.minimumVersion = settings.bayeuxMinimumVersion
            bayeux.replay = true
            bayeux.invalidReplayFallback = Self.fallbackPosition(settings.replayFallback)
            environment[BayeuxTuningKey.self](&bayeux)
            let store = try environment[ReplayStoreKey.self] ?? makeReplayStore(settings)
            let http = environment[HTTPClientFactoryKey.self](HTTPClientOptions(caBundlePath: settings.caBundlePath))
            parts = StreamingConnectionParts(
                http: http,
                authenticator: SalesforceStreamingAuthenticator(connection: connection, apiVersion: settings.apiVersion),
                store: store, deadLetters: deadLetters, failurePolicy: failurePolicy, bayeux: bayeux)
        case .bayeux:
            let settings = try BayeuxServerSettings(configuration: services.configuration)
            bayeux.version = settings.version
            bayeux.minimumVersion = settings.minimumVersion
            bayeux.replay = false
            environment[BayeuxTuningKey.self](&bayeux)
            parts = StreamingConnectionParts(
                http: environment[HTTPClientFactoryKey.self](HTTPClientOptions()),
                authenticator: StaticEndpoint(url: settings.serverURI),
                store: environment[ReplayStoreKey.self] ?? InMemoryReplayStore(), deadLetters: deadLetters,
                failurePolicy: failurePolicy, bayeux: bayeux)
        }
        return parts
    }

    /// The store `PUSHTOPIC_REPLAY_*` selects: Redis when enabled, else in memory.
    ///
    /// Nothing is sent to Redis here. The stored positions are read when the connection starts;
    /// while Redis is unreachable that read retries with backoff for
    /// ``RedisReplayStore/defaultReadRetryWindow`` and then fails the container's start with an
    /// error naming the Redis server (password redacted), so an orchestrator restarts it rather
    /// than it running without its positions (which would skip or replay events).
    func makeReplayStore(_ settings: SalesforceSettings) throws -> any ReplayStore {
        guard settings.replayEnabled, let uri = settings.replayRedisURI else { return InMemoryReplayStore() }
        do {
            return try RedisReplayStore(uri: uri, ttl: .seconds(settings.replayTTL), keyPrefix: settings.replayKeyPrefix,
                                        logger: services.logger)
        } catch let error as RedisReplayStoreError {
            throw ConfigurationError.invalidValue(key: "SALESFORCE.PUSHTOPIC_REPLAY_REDIS_URI", reason: error.description)
        }
    }

    /// `PUSHTOPIC_REPLAY_FALLBACK` as the Bayeux fallback position.
    ///
    /// The default, `all`, replays every retained event after a stored ID is rejected (expired,
    /// or from another org): duplicates are possible, silent loss is not. The session logs a
    /// warning and counts it in ``BayeuxStatistics/invalidReplayFallbacks``.
    static func fallbackPosition(_ fallback: SalesforceSettings.ReplayFallback) -> ReplayPosition? {
        switch fallback {
        case .all: .allRetained
        case .new: .newEvents
        case .fail: nil
        }
    }
}

/// Gives the Bayeux session the CometD endpoint and bearer token of the shared Salesforce login,
/// and logs in again when the server says the session is no longer valid.
struct SalesforceStreamingAuthenticator: BayeuxAuthenticator {
    let connection: SalesforceConnection
    let apiVersion: String

    func endpoint() async throws -> BayeuxEndpoint {
        try await Self.mapErrors { endpoint(for: try await connection.session()) }
    }

    func reauthenticate() async throws -> BayeuxEndpoint {
        try await Self.mapErrors {
            let stale = try await connection.session()
            return endpoint(for: try await connection.refreshSession(replacing: stale))
        }
    }

    private func endpoint(for session: SalesforceSession) -> BayeuxEndpoint {
        BayeuxEndpoint(url: session.cometdURL(apiVersion: apiVersion), headers: [session.authorizationHeader])
    }

    /// Wrong credentials end the session at once; anything else (login server down) is retried.
    private static func mapErrors(_ body: () async throws -> BayeuxEndpoint) async throws -> BayeuxEndpoint {
        do {
            return try await body()
        } catch let error as SalesforceLoginError where error.isPermanent {
            throw StreamingLoginFailed(underlying: error)
        }
    }
}

/// Salesforce refused the credentials: retrying cannot help, so the streaming connection (and the
/// container) stops with this error.
public struct StreamingLoginFailed: BayeuxFatalError, CustomStringConvertible {
    public let underlying: SalesforceLoginError
    public var description: String { "Salesforce login failed: \(underlying)" }
}
