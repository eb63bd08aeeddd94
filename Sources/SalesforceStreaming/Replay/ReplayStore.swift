/// Where the replay position of each channel is kept between runs (message durability).
///
/// The streaming client commits the replay ID of the latest event that it and every event before it
/// on the channel were handled, and on (re)subscribe asks Salesforce to replay everything after it.
/// Backends: ``InMemoryReplayStore`` (default: survives reconnects, not restarts) and
/// ``RedisReplayStore`` (configured with `PUSHTOPIC_REPLAY_ENABLED`).
public protocol ReplayStore: Sendable {
    /// The committed replay ID of `channel`, or nil when none is stored.
    func replayID(for channel: String) async throws -> ReplayID?
    /// Commits `replayID` as `channel`'s position.
    func setReplayID(_ replayID: ReplayID, for channel: String) async throws

    /// The least time between two writes of one channel's position: commits meanwhile move only
    /// the pending position, and the next write takes the latest (a burst becomes one write per
    /// interval; a crash replays those few milliseconds of events again, never fewer). The
    /// default, 10 ms, suits a store with a round trip per write. A store whose writes cost next
    /// to nothing returns `.zero`: each commit is written at once, and a channel at a low rate
    /// arms no timer between its writes.
    var minimumWriteInterval: Duration { get }

    /// How often the streaming client calls ``refresh(channels:)`` while it runs; nil (the
    /// default) for a store whose positions do not expire.
    var refreshInterval: Duration? { get }
    /// Keeps the stored positions of `channels` alive (e.g. extends an expiry), so a quiet channel
    /// does not lose its position. The default does nothing.
    ///
    /// - Returns: the channels that have no stored position (never written, or lost, e.g. by a
    ///   Redis restart without persistence); the client writes the positions it holds for them
    ///   again.
    @discardableResult
    func refresh(channels: [String]) async throws -> [String]
}

extension ReplayStore {
    public var minimumWriteInterval: Duration { .milliseconds(10) }
    public var refreshInterval: Duration? { nil }
    @discardableResult
    public func refresh(channels: [String]) async throws -> [String] { [] }
}
