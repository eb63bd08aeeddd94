#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Wall-clock nanoseconds since the epoch (the publisher stamps events with the same clock).
func wallNanoseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// What the client saw: unique, duplicated and stale events, first/last arrival, latencies.
/// Shared by the handler's workers; all state is under the mutex.
final class Recorder: Sendable {
    struct State {
        /// One bit per replay ID above `afterReplayID` (the simulator's IDs are dense): a set of
        /// 1M IDs would grow the client's RSS by tens of MB and hide the framework's own.
        var seen: [UInt64] = []
        var unique = 0
        var duplicates = 0
        var stale = 0
        var firstAt: Int64 = 0
        var lastAt: Int64 = 0
        var latencies: [Int64] = []
    }

    /// Replay IDs up to this one were handled before (catch-up): seeing them again is stale.
    let afterReplayID: Int64
    private let state = Mutex(State())

    init(afterReplayID: Int64) {
        self.afterReplayID = afterReplayID
    }

    func record(replayID: Int64?, publishedAt: Int64?) {
        let now = wallNanoseconds()
        state.withLock { s in
            if s.firstAt == 0 { s.firstAt = now }
            s.lastAt = now
            if let publishedAt { s.latencies.append(now - publishedAt) }
            guard let replayID else { s.unique += 1; return }
            if replayID <= afterReplayID { s.stale += 1; return }
            let bit = Int(replayID - afterReplayID - 1)
            let word = bit >> 6, mask = UInt64(1) << UInt64(bit & 63)
            if word >= s.seen.count { s.seen.append(contentsOf: repeatElement(0, count: max(word + 1 - s.seen.count, s.seen.count))) }
            if s.seen[word] & mask == 0 { s.seen[word] |= mask; s.unique += 1 } else { s.duplicates += 1 }
        }
    }

    var snapshot: State { state.withLock { $0 } }

    /// New events so far and the last arrival, without copying the state.
    var progress: (unique: Int, lastAt: Int64) { state.withLock { ($0.unique, $0.lastAt) } }
}

extension Recorder.State {
    /// The result line peers/run reads (JSON, one line).
    func json(client: String, expected: Int) -> String {
        let sorted = latencies.sorted()
        func percentile(_ p: Double) -> String {
            guard !sorted.isEmpty else { return "null" }
            let index = min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)
            return String(Double(sorted[max(0, index)]) / 1000)
        }
        return #"{"client":"\#(client)","expected":\#(expected),"unique":\#(unique),"duplicates":\#(duplicates),"stale":\#(stale),"# +
            #""lost":\#(max(0, expected - unique)),"first_at_ns":\#(firstAt),"last_at_ns":\#(lastAt),"# +
            #""latency_count":\#(sorted.count),"latency_p50_us":\#(percentile(0.5)),"latency_p99_us":\#(percentile(0.99))}"#
    }
}
