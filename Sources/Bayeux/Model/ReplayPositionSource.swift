/// Tells the session where to (re)start each subscription. Asked on every subscribe, including
/// resubscriptions after a re-handshake, so they resume after the last handled event.
public protocol ReplayPositionSource: Sendable {
    /// The position for `channel`, or `nil` to use the configuration's default.
    func replayPosition(for channel: String) async -> ReplayPosition?
}
