/// The value of `task`, or nil if it has not finished within `limit` (it is then cancelled): a
/// stop that fails to end a stream fails the test in seconds instead of hanging the run.
public func value<T: Sendable>(of task: Task<T, any Error>, within limit: Duration) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await task.value }
        group.addTask {
            try? await Task.sleep(for: limit)
            task.cancel()
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        return first
    }
}
