import Logging

/// Decides, per channel, which replay ID may be committed, and commits it.
///
/// Workers finish out of order (`max_workers` > 1) and some fail. The tracker keeps the events of
/// each channel in the order the server delivered them and moves the channel's *watermark* to the
/// latest event such that it and every event delivered before it were handled. It never commits
/// past an event still running or one that failed, and never uses ID arithmetic (replay IDs are
/// opaque and have gaps).
///
/// Every (re)subscription asks ``replayPosition(for:)``, which returns the watermark and starts a
/// new *epoch* for the channel: the server replays everything after the watermark, so events of the
/// previous epoch still running are delivered again and their late completions are ignored. That
/// keeps the watermark from ever moving backwards.
///
/// Store writes are coalesced: at most one write in flight per channel, the latest position wins.
/// A failed write is retried on the next commit and on ``flush()``; the in-memory watermark keeps
/// working meanwhile.
actor ReplayTracker: ReplayPositionSource {
    /// How a delivered event ended.
    enum Outcome: Sendable {
        /// Handled successfully.
        case handled
        /// Not handled, but kept elsewhere (dead-letter list): the watermark may pass it.
        case parked
        /// Not handled: the watermark stays before it until the channel is resubscribed.
        case failed
    }

    /// Identifies one delivered event to ``complete(_:outcome:)``.
    struct Ticket: Sendable, Hashable {
        let channel: String
        let epoch: Int
        let sequence: Int
    }

    private struct ChannelState {
        var epoch = 0
        var watermark: ReplayID?
        var committed: ReplayID?
        /// Delivered events of this epoch; those before `head` are passed by the watermark.
        var entries: [(id: ReplayID, outcome: Outcome?)] = []
        var head = 0
        /// The sequence number of `entries[0]`.
        var firstSequence = 0
        var nextSequence = 0
    }

    private let store: any ReplayStore
    private let logger: Logger
    private var channels: [String: ChannelState] = [:]
    private var pendingWrites: [String: ReplayID] = [:]
    private var writers: [String: Task<Void, Never>] = [:]

    init(store: any ReplayStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Reads the stored positions of `channels`; call once before subscribing.
    func load(channels names: [String]) async throws {
        for name in names where channels[name] == nil {
            var state = ChannelState()
            state.watermark = try await store.replayID(for: name)
            state.committed = state.watermark
            channels[name] = state
            if let watermark = state.watermark {
                logger.info("resuming channel from stored replay ID", metadata: ["channel": "\(name)", "replay_id": "\(watermark)"])
            }
        }
    }

    // MARK: ReplayPositionSource

    /// The position to subscribe `channel` from: after the watermark, or nil (server default, new
    /// events only) when nothing was handled or stored yet. Starts a new epoch for the channel.
    func replayPosition(for channel: String) -> ReplayPosition? {
        var state = channels[channel] ?? ChannelState()
        state.epoch += 1
        state.entries.removeAll()
        state.head = 0
        state.firstSequence = state.nextSequence
        channels[channel] = state
        return state.watermark.map(ReplayPosition.after)
    }

    // MARK: Delivery and completion

    /// Records that an event was delivered; nil when it carries no replay ID (nothing to track).
    func deliver(channel: String, replayID: ReplayID?) -> Ticket? {
        guard let replayID else { return nil }
        var state = channels[channel] ?? ChannelState()
        let ticket = Ticket(channel: channel, epoch: state.epoch, sequence: state.nextSequence)
        state.nextSequence += 1
        state.entries.append((replayID, nil))
        channels[channel] = state
        return ticket
    }

    /// Records how an event ended and advances the channel's watermark as far as it may go.
    func complete(_ ticket: Ticket, outcome: Outcome) {
        guard var state = channels[ticket.channel], state.epoch == ticket.epoch else { return }
        let index = ticket.sequence - state.firstSequence
        guard index >= state.head, index < state.entries.count else { return }
        state.entries[index].outcome = outcome
        var advanced = false
        while state.head < state.entries.count,
              let outcome = state.entries[state.head].outcome, outcome != .failed {
            state.watermark = state.entries[state.head].id
            state.head += 1
            advanced = true
        }
        if state.head > 256, state.head * 2 > state.entries.count {
            state.entries.removeFirst(state.head)
            state.firstSequence += state.head
            state.head = 0
        }
        channels[ticket.channel] = state
        if advanced, let watermark = state.watermark {
            scheduleWrite(watermark, for: ticket.channel)
        }
    }

    /// The current watermark of `channel` (the position a resubscription would start from).
    func watermark(for channel: String) -> ReplayID? {
        channels[channel]?.watermark
    }

    /// The position last written to the store for `channel`.
    func committed(for channel: String) -> ReplayID? {
        channels[channel]?.committed
    }

    /// Records that the store no longer has the positions of `channels` (e.g. Redis restarted
    /// without persistence), so the next ``flush()`` writes their watermarks again.
    func storeLost(channels names: [String]) {
        for name in names { channels[name]?.committed = nil }
    }

    /// Writes every watermark not yet in the store, waiting for writes in flight.
    func flush() async {
        for (channel, state) in channels where state.watermark != nil && state.watermark != state.committed {
            if pendingWrites[channel] == nil, writers[channel] == nil { pendingWrites[channel] = state.watermark }
            startWriterIfNeeded(for: channel)
        }
        while let (_, writer) = writers.first {
            await writer.value
        }
    }

    // MARK: Store writes

    private func scheduleWrite(_ replayID: ReplayID, for channel: String) {
        pendingWrites[channel] = replayID
        startWriterIfNeeded(for: channel)
    }

    private func startWriterIfNeeded(for channel: String) {
        guard writers[channel] == nil, pendingWrites[channel] != nil else { return }
        writers[channel] = Task { await self.drainWrites(for: channel) }
    }

    /// Writes the latest pending position of `channel` until none is pending (one attempt each).
    private func drainWrites(for channel: String) async {
        while let replayID = pendingWrites.removeValue(forKey: channel) {
            do {
                try await store.setReplayID(replayID, for: channel)
                channels[channel]?.committed = replayID
            } catch {
                logger.warning("could not store replay position; keeping it in memory and retrying on the next commit",
                               metadata: ["channel": "\(channel)", "replay_id": "\(replayID)", "error": "\(error)"])
                break
            }
        }
        writers[channel] = nil
    }
}
