import Bayeux
import SalesforceStreaming

/// An in-memory ``ReplayStore`` that counts writes: shows how many commits the replay tracker's
/// coalescing lets through, and the last position committed.
public actor CountingReplayStore: ReplayStore {
    public private(set) var writes = 0
    private var positions: [String: ReplayID] = [:]

    public init() {}

    public func replayID(for channel: String) -> ReplayID? { positions[channel] }

    public func setReplayID(_ replayID: ReplayID, for channel: String) {
        writes += 1
        positions[channel] = replayID
    }
}
