import Synchronization

/// Counts finished units of work and lets one task wait until a target count is reached.
/// Safe from any thread: all state is inside `state`'s mutex.
public final class Countdown: Sendable {
    private struct State {
        var count = 0
        var target = Int.max
        var waiter: CheckedContinuation<Void, Never>?
    }
    private let state = Mutex(State())

    public init() {}

    /// Adds `n` finished units; resumes the waiter when the target is reached.
    public func add(_ n: Int = 1) {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            s.count += n
            guard s.count >= s.target, let w = s.waiter else { return nil }
            s.waiter = nil
            return w
        }
        waiter?.resume()
    }

    /// The units counted so far.
    public var count: Int { state.withLock { $0.count } }

    /// Suspends until `target` units (counted since the start) have finished.
    public func wait(until target: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.count >= target { return true }
                s.target = target
                s.waiter = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
