/// A counting semaphore bounding how many workers run at once (`max_workers`).
///
/// `acquire()` suspends while all slots are taken, which is how the container pushes back on an
/// entrypoint's event loop instead of buffering events without limit. Waiters are served in order.
actor WorkerPool {
    let capacity: Int
    private var available: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0

    init(capacity: Int) {
        precondition(capacity > 0, "max_workers must be at least 1")
        self.capacity = capacity
        self.available = capacity
    }

    /// Number of workers running now.
    var busy: Int { capacity - available }

    /// Takes a slot, waiting for one if needed. Throws `CancellationError` if the waiting task is cancelled.
    func acquire() async throws {
        if available > 0 {
            available -= 1
            return
        }
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a slot, handing it straight to the longest waiter if there is one.
    func release() {
        if waiters.isEmpty {
            available = min(available + 1, capacity)
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
