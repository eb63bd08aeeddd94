/// An OAuth connected app: the consumer key and secret the OAuth username-password flow checks.
public struct SimulatedConnectedApp: Sendable, Hashable {
    public var consumerKey: String
    public var consumerSecret: String

    public init(consumerKey: String, consumerSecret: String) {
        self.consumerKey = consumerKey
        self.consumerSecret = consumerSecret
    }

    /// The demo app the executable and examples use by default.
    public static let demo = SimulatedConnectedApp(consumerKey: "demo-consumer-key", consumerSecret: "demo-consumer-secret")
}
