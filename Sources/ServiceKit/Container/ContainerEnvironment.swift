/// A key for a value in a ``ContainerEnvironment``; `defaultValue` applies when none was set.
public protocol ContainerEnvironmentKey {
    associatedtype Value: Sendable
    static var defaultValue: Value { get }
}

/// Objects (not configuration text) that extensions take from their container: the HTTP client
/// factory, a replay store, a clock. Production code leaves it empty and gets the defaults;
/// tests and embedders swap a seam without touching the service, e.g. an in-memory transport.
///
/// ```swift
/// var environment = ContainerEnvironment()
/// environment[HTTPClientFactoryKey.self] = { _ in SimulatorHTTPClient(org: org) }
/// let container = try ServiceContainer(MyService.self, configuration: config, environment: environment)
/// ```
public struct ContainerEnvironment: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<K: ContainerEnvironmentKey>(key: K.Type) -> K.Value {
        get { values[ObjectIdentifier(key)] as? K.Value ?? K.defaultValue }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}
