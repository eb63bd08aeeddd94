/// Counts the worker slots of a container (`max_workers`). Owned by the container actor, so taking
/// and returning a slot costs no extra actor hop.
///
/// `acquire()` suspends while all slots are taken, which is how the container pushes back on an
/// entrypoint's event loop instead of buffering events without limit. Waiters are served in order;
/// a cancelled waiter leaves the queue with `CancellationError`.
struct WorkerSlots {
    let capacity: Int
    private var available: Int
    private var waiters: [(id: Int, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID = 0

    init(capacity: Int) {
        precondition(capacity > 0, "max_workers must be at least 1")
        self.capacity = capacity
        self.available = capacity
    }
}

extension ServiceContainer {
    /// Takes a worker slot, waiting in line for one if needed.
    func acquireSlot() async throws {
        if slots.tryAcquire() { return }
        let id = slots.reserveWaiterID()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    slots.enqueue(id, continuation)
                }
            }
        } onCancel: {
            Task { await self.cancelSlotWaiter(id) }
        }
    }

    private func cancelSlotWaiter(_ id: Int) {
        slots.cancelWaiter(id)
    }
}

extension WorkerSlots {
    mutating func tryAcquire() -> Bool {
        guard available > 0 else { return false }
        available -= 1
        return true
    }

    mutating func reserveWaiterID() -> Int {
        defer { nextWaiterID += 1 }
        return nextWaiterID
    }

    mutating func enqueue(_ id: Int, _ continuation: CheckedContinuation<Void, any Error>) {
        waiters.append((id, continuation))
    }

    /// Returns a slot, handing it straight to the longest waiter if there is one.
    mutating func release() {
        if waiters.isEmpty {
            available = min(available + 1, capacity)
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    mutating func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
