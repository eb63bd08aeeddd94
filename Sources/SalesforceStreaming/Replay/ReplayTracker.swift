import Logging
import Synchronization

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
/// Store writes are coalesced: at most one write in flight per channel, the latest position wins,
/// and writes of a channel are at least the store's ``ReplayStore/minimumWriteInterval`` apart.
/// A failed write is retried on the next commit and on ``flush()``; the in-memory watermark keeps
/// working meanwhile.
///
/// Delivery and completion are on every event's path, so the bookkeeping is synchronous under a
/// lock rather than behind an actor hop; only store writes are asynchronous.
final class ReplayTracker: ReplayPositionSource, Sendable {
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
        /// The channel's place in the tracker (see ``slot(for:)``).
        let slot: Int
        let epoch: Int
        let sequence: Int
    }

    private struct ChannelState {
        let name: String
        var epoch = 0
        var watermark: ReplayID?
        var committed: ReplayID?
        /// Delivered events of this epoch; those before `head` are passed by the watermark.
        var entries: [(id: ReplayID, outcome: Outcome?)] = []
        var head = 0
        /// The sequence number of `entries[0]`.
        var firstSequence = 0
        var nextSequence = 0
        /// The latest position waiting to be written, and the task writing (at most one).
        var pendingWrite: ReplayID?
        var writer: Task<Void, Never>?
        /// When the last write started: the next waits until the store's interval has passed.
        var lastWrite: ContinuousClock.Instant?
        /// Write attempts started and finished (succeeded or failed), and the ``flush()`` calls
        /// waiting for the attempt numbered `attempt` to finish.
        var attemptsStarted = 0
        var attemptsFinished = 0
        var flushWaiters: [(attempt: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    /// Channels by slot, and the slot of each name: delivery and completion, which run for every
    /// event, reach a channel by its slot without hashing its name.
    private struct State {
        var channels: [ChannelState] = []
        var slots: [String: Int] = [:]

        mutating func slot(for name: String) -> Int {
            if let slot = slots[name] { return slot }
            channels.append(ChannelState(name: name))
            slots[name] = channels.count - 1
            return channels.count - 1
        }

        func channel(_ name: String) -> ChannelState? { slots[name].map { channels[$0] } }
    }

    /// The most pending-event capacity a channel keeps once all its events are passed.
    static let idleCapacity = 64

    /// Waits until an instant (the wait between two writes of a channel); tests observe it.
    typealias Sleep = @Sendable (ContinuousClock.Instant) async -> Void

    private let store: any ReplayStore
    /// The store's ``ReplayStore/minimumWriteInterval``, read once.
    private let writeInterval: Duration
    private let sleep: Sleep
    private let logger: Logger
    private let state = Mutex(State())

    init(store: any ReplayStore, logger: Logger,
         sleep: @escaping Sleep = { try? await Task.sleep(until: $0, clock: .continuous) }) {
        self.store = store
        self.writeInterval = store.minimumWriteInterval
        self.sleep = sleep
        self.logger = logger
    }

    /// Reads the stored positions of `channels`; call once before subscribing.
    func load(channels names: [String]) async throws {
        for name in names where state.withLock({ $0.slots[name] == nil }) {
            let watermark = try await store.replayID(for: name)
            state.withLock { state in
                let slot = state.slot(for: name)
                state.channels[slot].watermark = watermark
                state.channels[slot].committed = watermark
            }
            if let watermark {
                logger.info("resuming channel from stored replay ID", metadata: ["channel": "\(name)", "replay_id": "\(watermark)"])
            }
        }
    }

    // MARK: ReplayPositionSource

    /// The position to subscribe `channel` from: after the watermark, or nil (server default, new
    /// events only) when nothing was handled or stored yet. Starts a new epoch for the channel.
    func replayPosition(for channel: String) async -> ReplayPosition? {
        state.withLock { state in
            let slot = state.slot(for: channel)
            state.channels[slot].epoch += 1
            state.channels[slot].entries.removeAll()
            state.channels[slot].head = 0
            state.channels[slot].firstSequence = state.channels[slot].nextSequence
            return state.channels[slot].watermark.map(ReplayPosition.after)
        }
    }

    // MARK: Delivery and completion

    /// The slot of `channel`, for ``deliver(slot:replayID:)`` (made if the channel is new).
    func slot(for channel: String) -> Int {
        state.withLock { $0.slot(for: channel) }
    }

    /// Records that an event was delivered; nil when it carries no replay ID (nothing to track).
    func deliver(channel: String, replayID: ReplayID?) -> Ticket? {
        deliver(slot: slot(for: channel), replayID: replayID)
    }

    /// The same for the channel at `slot` (see ``slot(for:)``).
    func deliver(slot: Int, replayID: ReplayID?) -> Ticket? {
        guard let replayID else { return nil }
        return state.withLock { state in
            let ticket = Ticket(slot: slot, epoch: state.channels[slot].epoch, sequence: state.channels[slot].nextSequence)
            state.channels[slot].nextSequence += 1
            state.channels[slot].entries.append((replayID, nil))
            return ticket
        }
    }

    /// Records how an event ended and advances the channel's watermark as far as it may go.
    func complete(_ ticket: Ticket, outcome: Outcome) {
        state.withLock { state in
            // One dictionary access per completion: this runs for every event.
            Self.withSlot(ticket.slot, in: &state) { channelState in
                guard channelState.epoch == ticket.epoch else { return }
                let index = ticket.sequence - channelState.firstSequence
                guard index >= channelState.head, index < channelState.entries.count else { return }
                channelState.entries[index].outcome = outcome
                var advanced = false
                while channelState.head < channelState.entries.count,
                      let outcome = channelState.entries[channelState.head].outcome, outcome != .failed {
                    channelState.watermark = channelState.entries[channelState.head].id
                    channelState.head += 1
                    advanced = true
                }
                // Drop passed events often enough that a channel keeps a few KB, not hundreds of
                // entries (a service with 100 channels would hold over a megabyte). A channel whose
                // events are all passed also gives back a burst's worth of capacity: bursts reach
                // the channels of a service one after another, and each kept its largest buffer.
                let allPassed = channelState.head == channelState.entries.count
                if allPassed || (channelState.head > 64 && channelState.head * 2 > channelState.entries.count) {
                    if allPassed {
                        channelState.entries.removeAll(keepingCapacity: channelState.entries.capacity <= Self.idleCapacity)
                    } else {
                        channelState.entries.removeFirst(channelState.head)
                    }
                    channelState.firstSequence += channelState.head
                    channelState.head = 0
                }
                if advanced {
                    channelState.pendingWrite = channelState.watermark
                    startWriterIfNeeded(for: ticket.slot, in: &channelState)
                }
            }
        }
    }

    /// Runs `body` on a channel's state in place (no copy of its pending events per call).
    private static func withSlot<R>(_ slot: Int, in state: inout State, _ body: (inout ChannelState) -> R) -> R {
        body(&state.channels[slot])
    }

    /// The current watermark of `channel` (the position a resubscription would start from).
    func watermark(for channel: String) -> ReplayID? {
        state.withLock { $0.channel(channel)?.watermark }
    }

    /// How many pending events `channel` has room for without growing (what its bookkeeping holds).
    func pendingCapacity(for channel: String) -> Int {
        state.withLock { $0.channel(channel)?.entries.capacity ?? 0 }
    }

    /// The position last written to the store for `channel`.
    func committed(for channel: String) -> ReplayID? {
        state.withLock { $0.channel(channel)?.committed }
    }

    /// Records that the store no longer has the positions of `channels` (e.g. Redis restarted
    /// without persistence), so the next ``flush()`` writes their watermarks again.
    func storeLost(channels names: [String]) {
        state.withLock { state in
            for name in names { if let slot = state.slots[name] { state.channels[slot].committed = nil } }
        }
    }

    /// Writes every watermark not yet in the store and returns once each has been tried (written,
    /// or failed and logged). It waits for one attempt per channel that starts after the call, not
    /// for the channel's writer to end: under steady traffic a writer never ends, and the periodic
    /// upkeep that calls this would stall with it.
    func flush() async {
        let waits: [(slot: Int, attempt: Int)] = state.withLock { state in
            var waits: [(slot: Int, attempt: Int)] = []
            for slot in state.channels.indices {
                Self.withSlot(slot, in: &state) { channelState in
                    guard let watermark = channelState.watermark, watermark != channelState.committed else { return }
                    // Taken by an attempt that starts after this call (one in flight may carry an older position).
                    channelState.pendingWrite = watermark
                    waits.append((slot, channelState.attemptsStarted + 1))
                    startWriterIfNeeded(for: slot, in: &channelState)
                }
            }
            return waits
        }
        for (slot, attempt) in waits {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = state.withLock { state in
                    Self.withSlot(slot, in: &state) { channelState in
                        if channelState.attemptsFinished >= attempt { return true }
                        channelState.flushWaiters.append((attempt, continuation))
                        return false
                    }
                }
                if done { continuation.resume() }
            }
        }
    }

    // MARK: Store writes

    private func startWriterIfNeeded(for slot: Int, in channelState: inout ChannelState) {
        guard channelState.writer == nil, channelState.pendingWrite != nil else { return }
        let channel = channelState.name
        channelState.writer = Task { await self.drainWrites(for: channel, slot: slot) }
    }

    /// Writes the latest pending position of `channel` until none is pending (one attempt each).
    /// A commit after a quiet spell is written at once; one within the store's interval of the
    /// last write waits out the rest of it, and commits meanwhile join that write. The writer
    /// ends as soon as nothing is pending, so a channel at a low rate arms no timer.
    private func drainWrites(for channel: String, slot: Int) async {
        // Let the commits of events finishing right now arrive first: they coalesce into one write.
        await Task.yield()
        while true {
            let (pending, lastWrite) = state.withLock { state in
                Self.withSlot(slot, in: &state) { channelState in
                    if channelState.pendingWrite == nil { channelState.writer = nil }
                    return (channelState.pendingWrite != nil, channelState.lastWrite)
                }
            }
            guard pending else { return }
            if let lastWrite, ContinuousClock.now < lastWrite + writeInterval {
                // Commits arriving meanwhile only move the pending position: one write for all.
                await sleep(lastWrite + writeInterval)
            }
            // Only this writer clears the pending position, so it is still set.
            guard let replayID = state.withLock({ state in
                Self.withSlot(slot, in: &state) { channelState in
                    defer {
                        if channelState.pendingWrite != nil { channelState.attemptsStarted += 1 }
                        channelState.pendingWrite = nil
                        channelState.lastWrite = .now
                    }
                    return channelState.pendingWrite
                }
            }) else { continue }
            let written: Bool
            do {
                try await store.setReplayID(replayID, for: channel)
                written = true
            } catch {
                logger.warning("could not store replay position; keeping it in memory and retrying on the next commit",
                               metadata: ["channel": "\(channel)", "replay_id": "\(replayID)", "error": "\(error)"])
                written = false
            }
            let (flushed, retry) = state.withLock { state in
                Self.withSlot(slot, in: &state) { channelState in
                    if written { channelState.committed = replayID }
                    channelState.attemptsFinished += 1
                    var flushed: [CheckedContinuation<Void, Never>] = []
                    if !channelState.flushWaiters.isEmpty {
                        let finished = channelState.attemptsFinished
                        flushed = channelState.flushWaiters.filter { $0.attempt <= finished }.map(\.continuation)
                        channelState.flushWaiters.removeAll { $0.attempt <= finished }
                    }
                    // After a failure, a commit that came during the write is that next commit: its
                    // position is tried an interval after this attempt, not left for a later one.
                    if !written, channelState.pendingWrite == nil { channelState.writer = nil }
                    return (flushed, written || channelState.pendingWrite != nil)
                }
            }
            for waiter in flushed { waiter.resume() }
            guard retry else { return }
        }
    }
}
