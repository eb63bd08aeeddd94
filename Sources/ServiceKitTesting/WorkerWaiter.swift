import ServiceKit

/// One finished worker, as a ``WorkerWaiter`` saw it.
public struct FinishedWorker: Sendable {
    /// The entrypoint that started it, e.g. `onInvoice(/topic/InvoiceStatementUpdates)`.
    public let entrypoint: String
    /// Its context data (`channel`, `replay_id`, `client_id`, ...).
    public let contextData: [String: String]
    /// Nil when the handler succeeded, else its error.
    public let error: (any Error)?

    public var succeeded: Bool { error == nil }
}

/// Collects finished workers of a container and lets a test wait for them (Nameko's
/// `entrypoint_waiter`). Install ``observer`` as the container's ``WorkerObserverKey``.
public actor WorkerWaiter {
    public private(set) var finished: [FinishedWorker] = []
    private var waiters: [(id: Int, count: Int, entrypoint: String?, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiterID = 0

    public init() {}

    /// The function to set as `environment[WorkerObserverKey.self]`.
    public nonisolated var observer: @Sendable (WorkerContext, Result<Void, any Error>) async -> Void {
        { [self] worker, result in
            var error: (any Error)?
            if case .failure(let failure) = result { error = failure }
            await self.record(FinishedWorker(entrypoint: worker.entrypoint, contextData: worker.data, error: error))
        }
    }

    /// Waits until `count` workers (of `entrypoint`, if given) have finished, or `timeout` passes.
    /// - Returns: those workers, in the order they finished.
    /// - Throws: ``WorkerWaiterError/timedOut`` with what had finished by then.
    @discardableResult
    public func wait(for count: Int, entrypoint: String? = nil, timeout: Duration = .seconds(10)) async throws -> [FinishedWorker] {
        if matching(entrypoint).count < count {
            let id = nextWaiterID
            nextWaiterID += 1
            let timer = Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.expire(id)
            }
            await withCheckedContinuation { waiters.append((id, count, entrypoint, $0)) }
            timer.cancel()
        }
        let found = matching(entrypoint)
        guard found.count >= count else {
            throw WorkerWaiterError.timedOut(expected: count, finished: found.count)
        }
        return Array(found.prefix(count))
    }

    private func matching(_ entrypoint: String?) -> [FinishedWorker] {
        guard let entrypoint else { return finished }
        return finished.filter { $0.entrypoint == entrypoint }
    }

    private func record(_ worker: FinishedWorker) {
        finished.append(worker)
        let ready = waiters.filter { matching($0.entrypoint).count >= $0.count }
        waiters.removeAll { waiter in matching(waiter.entrypoint).count >= waiter.count }
        for waiter in ready { waiter.continuation.resume() }
    }

    private func expire(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume()
    }
}

public enum WorkerWaiterError: Error, CustomStringConvertible {
    case timedOut(expected: Int, finished: Int)

    public var description: String {
        switch self {
        case .timedOut(let expected, let finished): "timed out waiting for \(expected) workers; \(finished) finished"
        }
    }
}
