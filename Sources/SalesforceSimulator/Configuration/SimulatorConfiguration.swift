/// Everything that shapes a ``SimulatedOrg``: who can log in, which channels exist, and the
/// Streaming API timings and limits.
public struct SimulatorConfiguration: Sendable {
    public var users: [SimulatedUser]
    /// The 18-character organization ID, `00D...`.
    public var organizationID: String
    public var organizationName: String
    public var connectedApps: [SimulatedConnectedApp]
    /// How long a `/meta/connect` is held when nothing is queued (Salesforce: 110 s).
    public var pollTimeout: Duration
    /// A client that sends no request for this long is forgotten: its next request gets
    /// `403::Unknown client` (Salesforce: 40 s).
    public var clientTimeout: Duration
    /// Most events kept per channel; older ones are purged (replaying from them is an error).
    public var retention: Int
    /// Events older than this are purged (Salesforce: 24 h for PushTopic and generic events).
    public var retentionAge: Duration
    /// Most events appended to one `/meta/connect` reply; the rest wait for the next connect.
    public var maxEventsPerReply: Int
    /// The channels that exist at start: `/topic/X`, `/event/X__e`, `/data/XChangeEvent`,
    /// `/data/ChangeEvents`, `/u/X`. More can be created later.
    public var channels: [String]
    /// Distance between consecutive replay IDs of a channel; above 1 the IDs are not
    /// contiguous, which proves that clients treat them as opaque.
    public var replayIDStride: Int64
    /// The lowest CometD API version served (Salesforce: 37.0).
    public var minimumAPIVersion: Double
    /// The instance URL put in login replies, e.g. `http://127.0.0.1:8080` (no trailing slash).
    public var baseURL: String
    /// The record types that exist from the start (`RecordType` records, queryable over REST).
    public var recordTypes: [SimulatedRecordType]
    /// Most records in one REST query reply; the rest come through `nextRecordsUrl` (Salesforce: 2000).
    public var queryPageSize: Int

    public init(users: [SimulatedUser] = [.demo, .other],
                organizationID: String = "00D000000000001EAA",
                organizationName: String = "Simulated Org",
                connectedApps: [SimulatedConnectedApp] = [.demo],
                pollTimeout: Duration = .seconds(110),
                clientTimeout: Duration = .seconds(40),
                retention: Int = 100_000,
                retentionAge: Duration = .seconds(24 * 3600),
                maxEventsPerReply: Int = 1000,
                channels: [String] = [],
                replayIDStride: Int64 = 1,
                minimumAPIVersion: Double = 37.0,
                baseURL: String = "http://127.0.0.1:8080",
                recordTypes: [SimulatedRecordType] = SimulatedRecordType.defaults,
                queryPageSize: Int = 2000) {
        self.users = users
        self.organizationID = organizationID
        self.organizationName = organizationName
        self.connectedApps = connectedApps
        self.pollTimeout = pollTimeout
        self.clientTimeout = clientTimeout
        self.retention = retention
        self.retentionAge = retentionAge
        self.maxEventsPerReply = maxEventsPerReply
        self.channels = channels
        self.replayIDStride = replayIDStride
        self.minimumAPIVersion = minimumAPIVersion
        self.baseURL = baseURL
        self.recordTypes = recordTypes
        self.queryPageSize = max(1, queryPageSize)
    }
}
