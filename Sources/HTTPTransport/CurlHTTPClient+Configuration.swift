extension CurlHTTPClient {
    /// Settings of one ``CurlHTTPClient``, fixed for its lifetime.
    ///
    /// TLS peer and host-name verification are always on and cannot be turned off.
    public struct Configuration: Sendable {
        /// A PEM file of trusted CA certificates to use instead of the system's bundle
        /// (`CURLOPT_CAINFO`), e.g. for a corporate TLS-intercepting proxy. `nil`: system default.
        public var caBundlePath: String?
        /// Longest time to establish a connection (TCP and TLS handshakes). Also bounded by each
        /// request's own timeout.
        public var connectTimeout: Duration
        /// How many idle connections the client keeps open for reuse, beyond those busy with
        /// requests (it drives `CURLMOPT_MAXCONNECTS`). It does not cap concurrent requests:
        /// each concurrent request may use its own connection, and after a burst the surplus
        /// above this many idle connections is closed.
        public var maxConnections: Int
        /// Keep a cookie jar shared by all requests of this client (and only this client):
        /// cookies a server sets are sent back on later requests. Salesforce's streaming API
        /// needs this (`BAYEUX_BROWSER`).
        public var cookies: Bool

        public init(caBundlePath: String? = nil, connectTimeout: Duration = .seconds(10),
                    maxConnections: Int = 8, cookies: Bool = true) {
            self.caBundlePath = caBundlePath
            self.connectTimeout = connectTimeout
            self.maxConnections = maxConnections
            self.cookies = cookies
        }
    }
}
