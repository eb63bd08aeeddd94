import ServiceKit

/// A replay store to use instead of the one the configuration selects (e.g. an
/// ``InMemoryReplayStore`` a test inspects).
public enum ReplayStoreKey: ContainerEnvironmentKey {
    public static var defaultValue: (any ReplayStore)? { nil }
}

/// Adjusts the Bayeux settings derived from configuration (timeouts, backoff), e.g. to make
/// recovery tests fast.
public enum BayeuxTuningKey: ContainerEnvironmentKey {
    public static var defaultValue: @Sendable (inout BayeuxConfiguration) -> Void { { _ in } }
}

/// A dead-letter store to use instead of the one the configuration selects.
public enum DeadLetterStoreKey: ContainerEnvironmentKey {
    public static var defaultValue: (any DeadLetterStore)? { nil }
}
