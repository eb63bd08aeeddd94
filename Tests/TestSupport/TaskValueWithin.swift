import Synchronization

/// The value of `task`, or nil if it has not finished within `limit` (it is then cancelled): a
/// regression that leaves a task running fails its test in seconds instead of hanging the run.
///
/// Bounded even when the task ignores its cancellation: the wait does not await the task as a
/// child (a task group would wait for that child at its end); whichever of the task's end and the
/// timer comes first resumes it, and the other is ignored.
public func value<T: Sendable, Failure: Error>(of task: Task<T, Failure>, within limit: Duration) async throws -> T? {
    let waiter = FirstResume<Result<T, Failure>?>()
    let result = await withCheckedContinuation { continuation in
        waiter.wait(with: continuation)
        let timer = Task {
            try? await Task.sleep(for: limit)
            waiter.resume(returning: nil)
        }
        Task {
            let result = await task.result
            timer.cancel()
            waiter.resume(returning: result)
        }
    }
    guard let result else {
        task.cancel()
        return nil
    }
    return try result.get()
}

/// A continuation that the first of several callers resumes; later calls do nothing.
private final class FirstResume<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func wait(with continuation: CheckedContinuation<T, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func resume(returning value: T) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}

/// Whether `task` finished within `limit` (it is cancelled if not): for tasks that return nothing
/// and throw nothing, e.g. a container's `stop()` run in a task.
public func finished(_ task: Task<Void, Never>, within limit: Duration) async -> Bool {
    // A Task<Void, Never> cannot fail, so the only outcomes are "finished" and "timed out".
    (try? await value(of: task, within: limit)) != nil
}
