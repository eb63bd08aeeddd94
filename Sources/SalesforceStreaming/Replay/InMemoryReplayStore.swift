/// A ``ReplayStore`` in process memory: positions survive reconnects and re-handshakes, not a
/// restart. The default, and the store to use in unit tests.
public actor InMemoryReplayStore: ReplayStore {
    private var positions: [String: ReplayID]

    public init(_ positions: [String: ReplayID] = [:]) {
        self.positions = positions
    }

    public func replayID(for channel: String) -> ReplayID? {
        positions[channel]
    }

    public func setReplayID(_ replayID: ReplayID, for channel: String) {
        positions[channel] = replayID
    }

    /// `.zero`: a write is a dictionary update, so positions are written as they are committed.
    public nonisolated var minimumWriteInterval: Duration { .zero }

    /// Every stored position, for assertions in tests.
    public var all: [String: ReplayID] { positions }
}
