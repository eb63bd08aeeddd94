/// A snapshot of the simulated org's state (``SimulatedOrg/stats()``, `GET /simulator/stats`).
public struct SimulatorStats: Sendable, Codable, Hashable {
    /// Per-channel counters.
    public struct Channel: Sendable, Codable, Hashable {
        public var name: String
        public var kind: SimulatedChannelKind
        public var published: Int
        /// Events put into `/meta/connect` replies (counted once per client).
        public var delivered: Int
        public var retained: Int
        public var subscribers: Int
        public var latestReplayId: Int64?
    }

    /// Live CometD clients.
    public var clients: Int
    /// Subscriptions over all clients.
    public var subscriptions: Int
    /// Valid session tokens.
    public var sessions: Int
    public var channels: [Channel]
    /// Requests handled, control API excluded.
    public var requestsServed: Int
    /// Faults waiting to fire, described in words.
    public var faultsPending: [String]

    /// The counters of one channel, if it exists.
    public func channel(_ name: String) -> Channel? { channels.first { $0.name == name } }
}
