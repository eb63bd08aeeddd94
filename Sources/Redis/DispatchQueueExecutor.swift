import Dispatch

/// A `SerialExecutor` that runs jobs on its own serial `DispatchQueue`.
///
/// ``RedisConnection`` uses it so that hiredis's blocking socket calls run on a dedicated
/// queue instead of the Swift cooperative thread pool. (`DispatchSerialQueue` is not
/// available on Linux, hence this small executor.)
final class DispatchQueueExecutor: SerialExecutor {
    /// The serial queue every job runs on. `DispatchQueue` is `Sendable`.
    let queue: DispatchQueue

    init(label: String) {
        self.queue = DispatchQueue(label: label)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedSerialExecutor()
        queue.async {
            job.runSynchronously(on: executor)
        }
    }

    func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    func checkIsolated() {
        dispatchPrecondition(condition: .onQueue(queue))
    }
}
