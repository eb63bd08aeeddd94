import Bayeux
import Logging
@testable import SalesforceStreaming
import Synchronization
import Testing

/// A store that can be made to fail, recording what was written.
actor RecordingReplayStore: ReplayStore {
    var stored: [String: ReplayID] = [:]
    var writes: [(String, ReplayID)] = []
    var writeTimes: [ContinuousClock.Instant] = []
    /// Writes tried, failed ones included.
    var attempts = 0
    var failing = false
    nonisolated let minimumWriteInterval: Duration

    init(_ stored: [String: ReplayID] = [:], minimumWriteInterval: Duration = .milliseconds(10)) {
        self.stored = stored
        self.minimumWriteInterval = minimumWriteInterval
    }

    func replayID(for channel: String) throws -> ReplayID? {
        if failing { throw StoreDown() }
        return stored[channel]
    }

    /// How long a failing write takes before it throws (a Redis timeout, say).
    var failureDelay: Duration = .zero
    /// How long a successful write takes (a Redis round trip).
    var writeDelay: Duration = .zero

    func setReplayID(_ replayID: ReplayID, for channel: String) async throws {
        attempts += 1
        if failing {
            if failureDelay > .zero { try? await Task.sleep(for: failureDelay) }
            throw StoreDown()
        }
        if writeDelay > .zero { try? await Task.sleep(for: writeDelay) }
        stored[channel] = replayID
        writes.append((channel, replayID))
        writeTimes.append(.now)
    }

    func setWriteDelay(_ delay: Duration) { writeDelay = delay }

    func setFailing(_ value: Bool, delay: Duration = .zero) {
        failing = value
        failureDelay = delay
    }
    struct StoreDown: Error {}
}

private func id(_ value: Int64) -> ReplayID { ReplayID(.int(value)) }

@Suite("ReplayTracker")
struct ReplayTrackerTests {
    let channel = "/topic/Invoices"
    let logger = Logger(label: "test")

    @Test("the watermark follows delivery order: an event finishing early does not commit past one still running")
    func outOfOrderCompletion() async throws {
        let store = RecordingReplayStore()
        let tracker = ReplayTracker(store: store, logger: logger)
        try await tracker.load(channels: [channel])
        _ = await tracker.replayPosition(for: channel)
        // Replay IDs with gaps and not in numeric order: the tracker must not do arithmetic on them.
        let a = try #require(tracker.deliver(channel: channel, replayID: id(10)))
        let b = try #require(tracker.deliver(channel: channel, replayID: id(7)))
        let c = try #require(tracker.deliver(channel: channel, replayID: id(30)))
        tracker.complete(c, outcome: .handled)
        tracker.complete(b, outcome: .handled)
        #expect(tracker.watermark(for: channel) == nil)
        tracker.complete(a, outcome: .handled)
        #expect(tracker.watermark(for: channel) == id(30))
        await tracker.flush()
        #expect(await store.stored[channel] == id(30))
    }

    @Test("over thousands of events finishing out of order, dropping passed events keeps the watermark exact")
    func manyEventsOutOfOrder() async throws {
        let tracker = ReplayTracker(store: RecordingReplayStore(), logger: logger)
        try await tracker.load(channels: [channel])
        _ = await tracker.replayPosition(for: channel)
        var running: [ReplayTracker.Ticket] = []
        var random = SystemRandomNumberGenerator()
        for value in 1...5000 {
            running.append(try #require(tracker.deliver(channel: channel, replayID: id(Int64(value)))))
            // Up to 20 in flight, finishing in random order (as max_workers 10 plus its waiting line).
            while running.count > 20 || (value == 5000 && !running.isEmpty) {
                let done = running.remove(at: Int.random(in: 0..<running.count, using: &random))
                tracker.complete(done, outcome: .handled)
                let oldest = running.map(\.sequence).min()
                let expected = oldest.map { Int64($0) } ?? Int64(value)  // sequence n is replay ID n + 1
                #expect(tracker.watermark(for: channel) == (expected == 0 ? nil : id(expected)))
            }
        }
        #expect(tracker.watermark(for: channel) == id(5000))
    }

    @Test("a channel whose burst is all handled gives back its bookkeeping, and the next burst's watermark stays exact")
    func idleChannelGivesBackCapacity() async throws {
        let tracker = ReplayTracker(store: RecordingReplayStore(), logger: logger)
        try await tracker.load(channels: [channel])
        _ = await tracker.replayPosition(for: channel)
        var next: Int64 = 1
        for _ in 1...2 {
            var tickets: [ReplayTracker.Ticket] = []
            for _ in 1...1000 {
                tickets.append(try #require(tracker.deliver(channel: channel, replayID: id(next))))
                next += 1
            }
            #expect(tracker.pendingCapacity(for: channel) >= 1000)
            // Newest first: the watermark stays put until the oldest of the burst is handled.
            for ticket in tickets.dropFirst().reversed() { tracker.complete(ticket, outcome: .handled) }
            #expect(tracker.watermark(for: channel) == (next == 1001 ? nil : id(next - 1001)))
            tracker.complete(tickets[0], outcome: .handled)
            #expect(tracker.watermark(for: channel) == id(next - 1))
            #expect(tracker.pendingCapacity(for: channel) <= ReplayTracker.idleCapacity)
        }
    }

    @Test("a failed event holds the watermark before it even when later events succeed")
    func failureBlocksWatermark() async throws {
        let store = RecordingReplayStore()
        let tracker = ReplayTracker(store: store, logger: logger)
        try await tracker.load(channels: [channel])
        let a = try #require(tracker.deliver(channel: channel, replayID: id(1)))
        let b = try #require(tracker.deliver(channel: channel, replayID: id(2)))
        let c = try #require(tracker.deliver(channel: channel, replayID: id(3)))
        tracker.complete(a, outcome: .handled)
        tracker.complete(b, outcome: .failed)
        tracker.complete(c, outcome: .handled)
        #expect(tracker.watermark(for: channel) == id(1))
        await tracker.flush()
        #expect(await store.stored[channel] == id(1))
    }

    @Test("a parked (dead-lettered) event lets the watermark pass")
    func parkedPasses() async throws {
        let tracker = ReplayTracker(store: RecordingReplayStore(), logger: logger)
        let a = try #require(tracker.deliver(channel: channel, replayID: id(1)))
        let b = try #require(tracker.deliver(channel: channel, replayID: id(2)))
        tracker.complete(a, outcome: .parked)
        tracker.complete(b, outcome: .handled)
        #expect(tracker.watermark(for: channel) == id(2))
    }

    @Test("resubscribing starts from the watermark and ignores late completions of the previous epoch, so it never moves back")
    func resubscriptionNeverMovesBackwards() async throws {
        let tracker = ReplayTracker(store: RecordingReplayStore(), logger: logger)
        try await tracker.load(channels: [channel])
        _ = await tracker.replayPosition(for: channel)
        let old1 = try #require(tracker.deliver(channel: channel, replayID: id(1)))
        let old2 = try #require(tracker.deliver(channel: channel, replayID: id(2)))
        tracker.complete(old1, outcome: .handled)
        // Connection lost: the client resubscribes from the watermark (after 1); 2 is replayed.
        #expect(await tracker.replayPosition(for: channel) == .after(id(1)))
        let new2 = try #require(tracker.deliver(channel: channel, replayID: id(2)))
        let new3 = try #require(tracker.deliver(channel: channel, replayID: id(3)))
        tracker.complete(new2, outcome: .handled)
        tracker.complete(new3, outcome: .handled)
        #expect(tracker.watermark(for: channel) == id(3))
        tracker.complete(old2, outcome: .handled)
        #expect(tracker.watermark(for: channel) == id(3))
    }

    @Test("the first subscription resumes from the stored position; without one the server default applies")
    func loadsStoredPositions() async throws {
        let tracker = ReplayTracker(store: RecordingReplayStore([channel: id(42)]), logger: logger)
        try await tracker.load(channels: [channel, "/topic/Other"])
        #expect(await tracker.replayPosition(for: channel) == .after(id(42)))
        #expect(await tracker.replayPosition(for: "/topic/Other") == nil)
    }

    @Test("a store that fails keeps the watermark in memory and the next flush writes it")
    func storeFailureIsRetried() async throws {
        let store = RecordingReplayStore()
        let tracker = ReplayTracker(store: store, logger: logger)
        await store.setFailing(true)
        let a = try #require(tracker.deliver(channel: channel, replayID: id(5)))
        tracker.complete(a, outcome: .handled)
        await tracker.flush()
        #expect(await store.stored[channel] == nil)
        #expect(tracker.watermark(for: channel) == id(5))
        await store.setFailing(false)
        await tracker.flush()
        #expect(await store.stored[channel] == id(5))
    }

    @Test("a commit that arrives while a write is failing is written once the store is back, without waiting for another commit or a flush")
    func commitDuringAFailedWriteIsWritten() async throws {
        let (store, tracker) = try await trackerWritingFailingly(id(5))
        // The write of 5 is in flight and will fail; 6 is committed meanwhile, then the store recovers.
        try await commit(id(6), to: tracker)
        await store.setFailing(false)
        try await waitForWrites(1, in: store)
        #expect(await store.stored[channel] == id(6))
        #expect(tracker.committed(for: channel) == id(6))
    }

    @Test("flush returns while commits keep coming (the periodic upkeep that calls it must not stall under steady traffic)")
    func flushReturnsUnderSteadyCommits() async throws {
        let store = RecordingReplayStore(minimumWriteInterval: .milliseconds(5))
        await store.setWriteDelay(.milliseconds(5))  // a commit arrives during every write
        let tracker = ReplayTracker(store: store, logger: logger)
        let committer = Task {
            var value: Int64 = 1
            while !Task.isCancelled {
                try? await commit(id(value), to: tracker)
                value += 1
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        try await waitForWrites(2, in: store)
        let flushed = Mutex(false)
        let flush = Task {
            await tracker.flush()
            flushed.withLock { $0 = true }
        }
        let deadline = ContinuousClock.now + .seconds(3)
        while !flushed.withLock({ $0 }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(flushed.withLock { $0 }, "flush did not return within 3 s while commits kept coming")
        committer.cancel()  // (a flush that waited for the writer to end returns once commits stop)
        await flush.value
    }

    @Test("a flush while a write is failing tries the watermark again once that attempt ends, so the stop's flush stores it when the store is back")
    func flushRetriesAfterAFailingWriteInFlight() async throws {
        let (store, tracker) = try await trackerWritingFailingly(id(5))
        // The write in flight fails; the store is back before the flush's own attempt.
        await store.setFailing(false)
        await tracker.flush()
        #expect(await store.stored[channel] == id(5))
        #expect(tracker.committed(for: channel) == id(5))
    }

    @Test("commits within the store's write interval become one write of the latest position, an interval after the last")
    func writesCoalesceOverTheStoresInterval() async throws {
        let store = RecordingReplayStore(minimumWriteInterval: .milliseconds(300))
        let tracker = ReplayTracker(store: store, logger: logger)
        let first = try #require(tracker.deliver(channel: channel, replayID: id(1)))
        tracker.complete(first, outcome: .handled)
        try await waitForWrites(1, in: store)
        for value in Int64(2)...4 {
            let ticket = try #require(tracker.deliver(channel: channel, replayID: id(value)))
            tracker.complete(ticket, outcome: .handled)
        }
        await tracker.flush()
        #expect(await store.writes.map(\.1) == [id(1), id(4)])
        let times = await store.writeTimes
        #expect(times[1] - times[0] >= .milliseconds(300))
    }

    @Test("a store with a zero interval (the in-memory store) gets each commit written without a wait between writes")
    func zeroIntervalWritesAtOnce() async throws {
        #expect(InMemoryReplayStore().minimumWriteInterval == .zero)
        for interval in [Duration.zero, .seconds(1)] {
            let (store, tracker, waits) = observedTracker(interval: interval)
            for value in Int64(1)...3 {
                try await commit(id(value), to: tracker)
                try await waitForWrites(Int(value), in: store)
            }
            await tracker.flush()
            #expect(await store.writes.map(\.1) == [id(1), id(2), id(3)])
            // With an interval, a commit right after a write waits for the rest of the interval.
            #expect(waits.value == (interval == .zero ? 0 : 2))
        }
    }

    @Test("a commit more than the store's interval after the last write is written at once: a quiet channel arms no timer")
    func quietChannelWritesWithoutWaiting() async throws {
        let (store, tracker, waits) = observedTracker(interval: .milliseconds(20))
        for value in Int64(1)...3 {
            try await commit(id(value), to: tracker)
            try await waitForWrites(Int(value), in: store)
            try await Task.sleep(for: .milliseconds(40))
        }
        #expect(await store.writes.map(\.1) == [id(1), id(2), id(3)])
        #expect(waits.value == 0)
    }

    /// How many times a tracker waited between two writes.
    private final class WaitCount: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func add() { count.withLock { $0 += 1 } }
    }

    /// A tracker over a recording store with `interval`, and the count of its waits between writes.
    private func observedTracker(interval: Duration) -> (RecordingReplayStore, ReplayTracker, WaitCount) {
        let store = RecordingReplayStore(minimumWriteInterval: interval)
        let waits = WaitCount()
        let tracker = ReplayTracker(store: store, logger: logger) { deadline in
            waits.add()
            try? await Task.sleep(until: deadline, clock: .continuous)
        }
        return (store, tracker, waits)
    }

    private func commit(_ replayID: ReplayID, to tracker: ReplayTracker) async throws {
        let ticket = try #require(tracker.deliver(channel: channel, replayID: replayID))
        tracker.complete(ticket, outcome: .handled)
    }

    private func waitForWrites(_ count: Int, in store: RecordingReplayStore) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while await store.writes.count < count {
            guard ContinuousClock.now < deadline else { throw WritesMissing(expected: count) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    /// A tracker whose store is failing a write of `replayID` right now (it throws 100 ms after
    /// being asked): the state in which a commit or a flush meets a failing write in flight.
    private func trackerWritingFailingly(_ replayID: ReplayID) async throws -> (RecordingReplayStore, ReplayTracker) {
        let store = RecordingReplayStore(minimumWriteInterval: .milliseconds(5))
        let tracker = ReplayTracker(store: store, logger: logger)
        await store.setFailing(true, delay: .milliseconds(100))
        try await commit(replayID, to: tracker)
        try await waitForFirstAttempt(in: store)
        return (store, tracker)
    }

    /// Waits until the store has been asked to write once (the write may still be in flight).
    private func waitForFirstAttempt(in store: RecordingReplayStore) async throws {
        let deadline = ContinuousClock.now + .seconds(5)
        while await store.attempts == 0 {
            guard ContinuousClock.now < deadline else { throw WritesMissing(expected: 1) }
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    private struct WritesMissing: Error { let expected: Int }

    @Test("events without a replay ID are not tracked")
    func untrackedEvents() async {
        let tracker = ReplayTracker(store: RecordingReplayStore(), logger: logger)
        #expect(tracker.deliver(channel: channel, replayID: nil) == nil)
    }
}
