import Synchronization

/// Runs a container's workers: at most `capacity` at once, on long-lived tasks that take one
/// worker after another from a queue.
///
/// A worker task that finds the queue empty parks until the next submission, and ends when the
/// pool closes. In a burst of events the same few tasks run worker after worker without being
/// created or woken per event (a task and a thread wake-up per event was most of the CPU an event
/// cost). `submit` takes a worker at once while fewer than `backlog` wait for a slot; beyond that
/// it suspends until half of them have started, so a producer is held back in steps rather than
/// woken for every slot that frees. A ``WorkerBatch`` (a run of a reply's events) is accepted
/// whole under the same rule, with one lock and one wake-up per idle task for all its workers:
/// handing events over one by one cost a lock round trip and often a thread wake-up each.
///
/// Every method is synchronous under one lock except the two suspensions (`submit` when full, a
/// worker task when idle). Continuations of the hot path are resumed after the lock is released:
/// a resume may wake a thread, and producer and workers contend for this lock on every event.
final class WorkerPool: Sendable {
    typealias Job = @Sendable () async -> Void

    /// One worker to run: a job submitted alone, or one of a batch's.
    enum Work: Sendable {
        case job(Job)
        case item(any WorkerBatch, index: Int)

        nonisolated(nonsending) func run() async {
            switch self {
            case .job(let job): await job()
            case .item(let batch, let index): await batch.runWorker(at: index)
            }
        }
    }

    /// A queued submission: a job, or the workers of a batch (those of the head entry before
    /// `State.headTaken` have started).
    private enum Entry {
        case job(Job)
        case batch(any WorkerBatch)
    }

    let capacity: Int
    let backlog: Int

    private struct Submitter {
        let id: Int
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        /// Accepted workers not yet started; the entries before `head` were taken.
        var queue: [Entry] = []
        var head = 0
        /// Workers of the head entry's batch already taken: kept here rather than in the entry,
        /// which would be rewritten (its batch retained and released) for every worker.
        var headTaken = 0
        /// Workers in `queue` (a batch entry counts each worker it has left).
        var waiting = 0
        var idleTasks: [CheckedContinuation<Work?, Never>] = []
        /// Work given to tasks just started, until each takes its own.
        var handoffs: [Int: Work] = [:]
        var tasks: [Int: Task<Void, Never>] = [:]
        var nextTaskID = 0
        var running = 0
        var submitters: [Submitter] = []
        var nextSubmitterID = 0
        var closed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        mutating func popWork() -> Work? {
            guard head < queue.count else { return nil }
            waiting -= 1
            switch queue[head] {
            case .job(let job):
                advance()
                return .job(job)
            case .batch(let batch):
                let index = headTaken
                if index + 1 < batch.count {
                    headTaken = index + 1
                } else {
                    advance()
                }
                return .item(batch, index: index)
            }
        }

        private mutating func advance() {
            head += 1
            headTaken = 0
            if head == queue.count {
                queue.removeAll(keepingCapacity: true)
                head = 0
            } else if head > 64, head * 2 > queue.count {
                // A queue refilled before it runs dry would otherwise keep every job it ever ran.
                queue.removeFirst(head)
                head = 0
            }
        }

        /// Drops the workers of batches not started yet (see ``WorkerBatch``).
        mutating func dropBatches() {
            let kept = queue[head...].filter { if case .job = $0 { true } else { false } }
            queue = Array(kept)
            head = 0
            headTaken = 0
            waiting = kept.count
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
        let (accepted, wake): (Bool, CheckedContinuation<Work?, Never>?) = try state.withLock { state in
            if state.closed { throw closedError() }
            guard state.waiting < backlog else { return (false, nil) }
            return (true, enqueue(job, in: &state))
        }
        wake?.resume(returning: .job(job))
        return accepted
    }

    /// Accepts every worker of `batch` at once, suspending while `backlog` accepted workers wait
    /// for a slot; they start in index order. Throws like ``submit(_:closedError:)``.
    func submit(batch: any WorkerBatch, closedError: @autoclosure () -> any Error) async throws {
        while try !trySubmit(batch: batch, closedError: closedError()) {
            try await waitForRoom()
        }
    }

    /// Accepts every worker of `batch` if fewer than `backlog` accepted workers wait for a slot
    /// (true), without suspending; false when the caller should wait. One lock and at most one
    /// wake-up per idle task for the whole batch, however many workers it has.
    func trySubmit(batch: any WorkerBatch, closedError: @autoclosure () -> any Error) throws -> Bool {
        guard batch.count > 0 else { return true }
        let wakes: [(CheckedContinuation<Work?, Never>, Work)]? = try state.withLock { state in
            if state.closed { throw closedError() }
            guard state.waiting < backlog else { return nil }
            state.queue.append(.batch(batch))
            state.waiting += batch.count
            var wakes: [(CheckedContinuation<Work?, Never>, Work)] = []
            while !state.idleTasks.isEmpty || state.tasks.count < capacity, let work = state.popWork() {
                state.running += 1
                if let idle = state.idleTasks.popLast() {
                    wakes.append((idle, work))
                } else {
                    startTask(with: work, in: &state)
                }
            }
            return wakes
        }
        guard let wakes else { return false }
        for (task, work) in wakes { task.resume(returning: work) }
        return true
    }

    /// Stops accepting workers; every later or waiting `submit` throws `error`. Accepted jobs
    /// still run (see ``waitUntilIdle()``); the workers of batches that did not start are dropped.
    func close(_ error: any Error) {
        state.withLock { state in
            state.closed = true
            state.dropBatches()
            for submitter in state.submitters { submitter.continuation.resume(throwing: error) }
            state.submitters.removeAll()
            for task in state.idleTasks { task.resume(returning: nil) }
            state.idleTasks.removeAll()
            if state.running == 0 && state.waiting == 0 {
                for waiter in state.idleWaiters { waiter.resume() }
                state.idleWaiters.removeAll()
            }
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
            state.headTaken = 0
            state.waiting = 0
            return Array(state.tasks.values)
        }
        for task in tasks { task.cancel() }
    }

    // MARK: Internals

    /// Takes an idle task for `job` (returned: the caller resumes it with the job once the lock is
    /// released), or starts a task for it, or queues it. Called under the lock.
    private func enqueue(_ job: @escaping Job, in state: inout State) -> CheckedContinuation<Work?, Never>? {
        if !state.idleTasks.isEmpty {
            state.running += 1
            return state.idleTasks.removeLast()
        } else if state.tasks.count < capacity {
            state.running += 1
            startTask(with: .job(job), in: &state)
        } else {
            state.queue.append(.job(job))
            state.waiting += 1
        }
        return nil
    }

    /// Starts a task that runs `work` first. Called under the lock.
    private func startTask(with work: Work, in state: inout State) {
        let id = state.nextTaskID
        state.nextTaskID += 1
        // Handed over through the state, not captured by the task's closure: that would keep
        // the work (and its event) alive as long as the task.
        state.handoffs[id] = work
        state.tasks[id] = Task { await self.runTask(id: id) }
    }

    private func runTask(id: Int) async {
        var work = state.withLock { $0.handoffs.removeValue(forKey: id) }
        while let current = work {
            await current.run()
            work = await next(taskID: id)
        }
    }

    /// The part of ``next(taskID:)`` that does not suspend, apart so that its locals and closures
    /// live on the thread's stack rather than in task-allocated async frames (it runs per event):
    /// the next worker, `.some(nil)` when the task is to end, nil when it is to park.
    @inline(never)
    private func takeNext(taskID: Int) -> Work?? {
        var submitters: [Submitter] = []
        let taken: Work?? = state.withLock { state in
            state.running -= 1
            if let work = state.popWork() {
                state.running += 1
                submitters = takeSubmittersIfRoom(in: &state)
                return .some(work)
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
        return taken
    }

    /// Called by a task after its worker finished: the next queued worker, or nil when the pool
    /// closed and nothing is left (the task ends). Parks while the queue is empty.
    private nonisolated(nonsending) func next(taskID: Int) async -> Work? {
        if let taken = takeNext(taskID: taskID) { return taken }
        let work = await withCheckedContinuation { (continuation: CheckedContinuation<Work?, Never>) in
            state.withLock { state in
                if let work = state.popWork() {
                    state.running += 1
                    continuation.resume(returning: work)
                } else if state.closed {
                    continuation.resume(returning: nil)
                } else {
                    state.idleTasks.append(continuation)
                }
            }
        }
        if work == nil {
            state.withLock { state in
                state.tasks[taskID] = nil
            }
        }
        return work
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

/// Workers submitted together (events of one reply): `count` of them, started in index
/// order, each in its own slot like a job submitted alone, for one lock and one wake-up per idle
/// task instead of one per worker.
///
/// A batch is an offer: the workers of it that have not started when the pool closes are
/// dropped, so the submitter must be able to hand them again later (streaming events are replayed
/// from the last position every worker before them reached).
package protocol WorkerBatch: AnyObject, Sendable {
    var count: Int { get }
    /// Runs worker `index`.
    nonisolated(nonsending) func runWorker(at index: Int) async
}
