/// Where and how to reach the Bayeux server: the URL and the headers (e.g. `Authorization`).
public struct BayeuxEndpoint: Sendable {
    public var url: String
    /// Extra request headers. Their values are never logged.
    public var headers: [(name: String, value: String)]

    public init(url: String, headers: [(name: String, value: String)] = []) {
        self.url = url
        self.headers = headers
    }
}
