import Synchronization

/// Runs a container's workers: at most `capacity` at once, on long-lived tasks that take one
/// worker after another from a queue.
///
/// A worker task that finds the queue empty parks until the next submission, and ends when the
/// pool closes. In a burst of events the same few tasks run worker after worker without being
/// created or woken per event (a task and a thread wake-up per event was most of the CPU an event
/// cost). `submit` takes a worker at once while fewer than `backlog` wait for a slot; beyond that
/// it suspends until half of them have started, so a producer is held back in steps rather than
/// woken for every slot that frees.
///
/// Every method is synchronous under one lock except the two suspensions (`submit` when full, a
/// worker task when idle). Continuations of the hot path are resumed after the lock is released:
/// a resume may wake a thread, and producer and workers contend for this lock on every event.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () async -> Void

    let capacity: Int
    let backlog: Int

    private struct Submitter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// Accepted workers not yet started; those before `head` were taken.
        var queue: [Job] = []
        var head = 0
        var idleTasks: [CheckedContinuation<Job?, Never>] = []
        /// Jobs given to tasks just started, until each takes its own.
        var handoffs: [Int: Job] = [:]
        var tasks: [Int: Task<Void, Never>] = [:]
        var nextTaskID = 0
        var running = 0
        var submitters: [Submitter] = []
        var nextSubmitterID = 0
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        var waiting: Int { queue.count - head }

        mutating func popJob() -> Job? {
            guard head < queue.count else { return nil }
            let job = queue[head]
            head += 1
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 64, head * 2 > queue.count {
                // A queue refilled before it runs dry would otherwise keep every job it ever ran.
                queue.removeFirst(head)
                head = 0
            }
            return job
        }
    }

    private let state = Mutex(State())

    init(capacity: Int, backlog: Int) {
        precondition(capacity > 0, "max_workers must be at least 1")
        self.capacity = capacity
        self.backlog = max(backlog, 1)
    }

    /// Workers started and not yet finished.
    var running: Int { state.withLock { $0.running } }

    /// Workers running or waiting for a slot.
    var pending: Int { state.withLock { $0.running + $0.waiting } }

    /// Accepts `job`, suspending while `backlog` accepted workers wait for a slot. Throws
    /// `closedError` once the pool is closed, and `CancellationError` if the caller is cancelled
    /// while waiting.
    func submit(_ job: @escaping Job, closedError: @autoclosure () -> any Error) async throws {
        while try !trySubmit(job, closedError: closedError()) {
            try await waitForRoom()
        }
    }

    /// Accepts `job` if fewer than `backlog` accepted workers wait for a slot (true), without
    /// suspending; false when the caller should wait (``submit(_:closedError:)``). Throws
    /// `closedError` once the pool is closed (made only then: boxing an error allocates).
    func trySubmit(_ job: @escaping Job, closedError: @autoclosure () -> any Error) throws -> Bool {
        let (accepted, wake): (Bool, CheckedContinuation<Job?, Never>?) = try state.withLock { state in
            if state.closed { throw closedError() }
            guard state.waiting < backlog else { return (false, nil) }
            return (true, enqueue(job, in: &state))
        }
        wake?.resume(returning: job)
        return accepted
    }

    /// Stops accepting workers; every later or waiting `submit` throws `error`. Accepted workers
    /// still run; see ``waitUntilIdle()``.
    func close(_ error: any Error) {
        state.withLock { state in
            state.closed = true
            for submitter in state.submitters { submitter.continuation.resume(throwing: error) }
            state.submitters.removeAll()
            for task in state.idleTasks { task.resume(returning: nil) }
            state.idleTasks.removeAll()
        }
    }

    /// Suspends until no worker runs or waits (at once when none does).
    func waitUntilIdle() async {
        await withCheckedContinuation { continuation in
            state.withLock { state in
                if state.running == 0 && state.waiting == 0 {
                    continuation.resume()
                } else {
                    state.idleWaiters.append(continuation)
                }
            }
        }
    }

    /// Closes the pool, drops the workers not yet started and cancels the running ones.
    func cancelAll(_ error: any Error) {
        close(error)
        let tasks = state.withLock { state in
            state.queue.removeAll()
            state.head = 0
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
    }

    // MARK: Internals

    /// Takes an idle task for `job` (returned: the caller resumes it with the job once the lock is
    /// released), or starts a task for it, or queues it. Called under the lock.
    private func enqueue(_ job: @escaping Job, in state: inout State) -> CheckedContinuation<Job?, Never>? {
        if !state.idleTasks.isEmpty {
            state.running += 1
            return state.idleTasks.removeLast()
        } else if state.tasks.count < capacity {
            state.running += 1
            let id = state.nextTaskID
            state.nextTaskID += 1
            // Handed over through the state, not captured by the task's closure: that would keep
            // the job (and its event) alive as long as the task.
            state.handoffs[id] = job
            state.tasks[id] = Task { await self.runTask(id: id) }
        } else {
            state.queue.append(job)
        }
        return nil
    }

    private func runTask(id: Int) async {
        var job = state.withLock { $0.handoffs.removeValue(forKey: id) }
        while let current = job {
            await current()
            job = await next(taskID: id)
        }
    }

    /// Called by a task after its worker finished: the next queued worker, or nil when the pool
    /// closed and nothing is left (the task ends). Parks while the queue is empty.
    private func next(taskID: Int) async -> Job? {
        var submitters: [Submitter] = []
        let taken: Job?? = state.withLock { state in
            state.running -= 1
            if let job = state.popJob() {
                state.running += 1
                submitters = takeSubmittersIfRoom(in: &state)
                return .some(job)
            }
            if state.running == 0 {
                for waiter in state.idleWaiters { waiter.resume() }
                state.idleWaiters.removeAll()
            }
            if state.closed {
                state.tasks[taskID] = nil
                return .some(nil)
            }
            return nil
        }
        for submitter in submitters { submitter.continuation.resume() }
        if let taken { return taken }
        let job = await withCheckedContinuation { (continuation: CheckedContinuation<Job?, Never>) in
            state.withLock { state in
                if let job = state.popJob() {
                    state.running += 1
                    continuation.resume(returning: job)
                } else if state.closed {
                    continuation.resume(returning: nil)
                } else {
                    state.idleTasks.append(continuation)
                }
            }
        }
        if job == nil {
            state.withLock { state in
                state.tasks[taskID] = nil
            }
        }
        return job
    }

    /// Every waiting submitter, once at most half the backlog waits (to be resumed after the lock).
    private func takeSubmittersIfRoom(in state: inout State) -> [Submitter] {
        guard !state.submitters.isEmpty, state.waiting <= backlog / 2 else { return [] }
        defer { state.submitters.removeAll() }
        return state.submitters
    }

    private func waitForRoom() async throws {
        let id = state.withLock { state in
            defer { state.nextSubmitterID += 1 }
            return state.nextSubmitterID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { state in
                    if state.closed || state.waiting < backlog || Task.isCancelled {
                        continuation.resume()
                    } else {
                        state.submitters.append(Submitter(id: id, continuation: continuation))
                    }
                }
            }
        } onCancel: {
            state.withLock { state in
                if let index = state.submitters.firstIndex(where: { $0.id == id }) {
                    state.submitters.remove(at: index).continuation.resume(throwing: CancellationError())
                }
            }
        }
        try Task.checkCancellation()
    }
}
